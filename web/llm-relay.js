// logsieve's LLM relay (transport only; see llm-relay.html for why it exists).
//
// 1. Narrows this document's CSP to the endpoint origin named in the fragment (`#<encoded origin>`).
// 2. Accepts messages only from its parent, and only when the parent is this origin.
// 3. { type: 'fetch', id, url, headers, body, timeoutMs }: POSTs body to url, then posts back
//    { id, type: 'status', status }, { id, type: 'chunk', bytes: Uint8Array } as the response streams in,
//    and { id, type: 'end' } or { id, type: 'error', kind: 'network' | 'timeout' | 'abort' | 'origin', message }.
//    timeoutMs is the longest wait for the response and between two chunks of it.
// 4. { type: 'abort', id }: stops that request.
// Everything else (the body, the headers, decoding the stream, error messages) is the page's Rust code.
'use strict';

(() => {
  const origin = (() => {
    try {
      const u = new URL(decodeURIComponent(location.hash.slice(1)));
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
    } catch {
      return null;
    }
  })();
  const csp = document.createElement('meta');
  csp.httpEquiv = 'Content-Security-Policy';
  csp.content = `connect-src ${origin ?? "'none'"}`;
  document.head.appendChild(csp);

  const post = (msg) => parent.postMessage(msg, location.origin);
  const running = new Map();

  async function run({ id, url, headers, body, timeoutMs }) {
    const controller = new AbortController();
    let reason = null;
    let timer = 0;
    const stop = (why) => {
      reason ??= why;
      controller.abort();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stop('timeout'), timeoutMs);
    };
    running.set(id, stop);
    try {
      let target = null;
      try {
        target = new URL(url).origin;
      } catch {}
      if (origin === null || target !== origin) {
        reason = 'origin';
        throw new Error(`the relay only connects to ${origin ?? 'no origin'}, not to ${target ?? url}`);
      }
      arm();
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
        signal: controller.signal,
      });
      arm();
      post({ id, type: 'status', status: res.status });
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          arm();
          post({ id, type: 'chunk', bytes: value });
        }
      }
      post({ id, type: 'end' });
    } catch (e) {
      const kind = reason ?? (e instanceof TypeError ? 'network' : 'other');
      post({ id, type: 'error', kind, message: String((e && e.message) || e) });
    } finally {
      clearTimeout(timer);
      running.delete(id);
    }
  }

  addEventListener('message', (ev) => {
    if (ev.origin !== location.origin || ev.source !== parent) return;
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'fetch') run(m);
    else if (m.type === 'abort') running.get(m.id)?.('abort');
  });
  post({ type: 'ready', origin });
})();
