//! The charts in the parsing worker (wasm32 only): the `SeriesBuilder` fed during the parse ([`SeriesTap`]), the
//! lazy fetch of the geo database, the full file's charts, and the pass of a selected time range.
//!
//! The geo database (`geo/country.bin`, relative to the page) is fetched only for a file with client addresses: the
//! fetch starts when the parse meets the first such event, so that it overlaps the parse (the worker's parse loop
//! does not yield, but the browser downloads meanwhile), and is awaited once the parse is done. A syslog or loghub
//! file never requests it.
//!
//! A selection (`Request::Range`) is applied at once to the table's later queries ([`restrict_view`]) and starts
//! an asynchronous pass over the file ([`crate::charts::RangePass`]) that yields to the worker's event loop between
//! 4 MiB slices, so that a newer selection (or a reset) stops it; reset sends back the full file's charts and
//! findings, kept here.

use crate::charts::{Charts, RangePass, TimeRange};
use crate::index::EventIndex;
use crate::protocol::{Findings, Response};
use crate::view::Session;
use crate::worker::{js_err, post, read_into, scope};
use crate::SLICE_BYTES;
use js_sys::{Promise, Uint8Array};
use logsieve_charts::{GeoDb, SeriesBuilder};
use logsieve_engine::Event;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileReaderSync};

/// How the worker lends its open file's session (`worker::with_session`): `f` runs on it if a file is open. The
/// passes borrow it between their awaits, never across one.
pub type WithSession = fn(&mut dyn FnMut(&Session));

/// Where the page's build puts the geo database, relative to the page (and so to the worker's script).
const GEO_URL: &str = "geo/country.bin";

#[derive(Default)]
struct ChartsState {
    /// The geo database, once fetched (`None` for a file without clients, or when it failed).
    geo: Option<Rc<GeoDb>>,
    /// The full file's charts and findings, for a reset.
    full: Option<(Charts, Findings)>,
    /// The selected range, applied to every query of the table.
    range: Option<TimeRange>,
    /// The latest `Request::Range`: a pass of an older one stops.
    generation: u32,
    /// Why the findings were left out of this parse (a retry after they failed), if they were: a range's pass
    /// leaves them out too.
    findings_skipped: Option<String>,
}

thread_local! {
    static STATE: RefCell<ChartsState> = RefCell::new(ChartsState::default());
}

/// The series builder of the parse, and the geo fetch it starts at the first event with a client address.
pub struct SeriesTap {
    builder: SeriesBuilder,
    geo: Option<JsFuture>,
    checked_clients: bool,
}

impl Default for SeriesTap {
    fn default() -> Self {
        SeriesTap::new()
    }
}

impl SeriesTap {
    pub fn new() -> SeriesTap {
        // A new file: nothing of the previous one's charts applies.
        STATE.with(|s| *s.borrow_mut() = ChartsState::default());
        SeriesTap {
            builder: SeriesBuilder::new(),
            geo: None,
            checked_clients: false,
        }
    }

    /// Counts one event (with the miner's provisional template id).
    #[inline]
    pub fn observe(&mut self, ev: &Event<'_>, template_id: u32) {
        self.builder.observe(ev, Some(template_id));
        if !self.checked_clients && crate::charts::has_client(ev) {
            self.checked_clients = true;
            // `JsFuture::from` attaches its handlers now, so a failed fetch is never an unhandled rejection.
            self.geo = Some(JsFuture::from(scope().fetch_with_str(GEO_URL)));
        }
    }

    /// Finishes the full file's series once the geo database (if fetched) is in, keeps them with the findings for
    /// a reset, and sends them (`Response::Charts`, generation 0). `skipped`: the charts stage was left out (the
    /// builder saw no event): the empty charts go out at once with this note.
    pub fn finish(self, findings: Findings, with_session: WithSession, skipped: Option<String>) {
        let SeriesTap { builder, geo, .. } = self;
        STATE.with(|s| s.borrow_mut().findings_skipped = findings.skipped.clone());
        let send = move |geo: Option<Rc<GeoDb>>, note: Option<String>| {
            let mut charts = None;
            with_session(&mut |session| {
                let series = builder.snapshot(Some(session.templates.map()), geo.as_deref());
                charts = Some(Charts::new(None, series, note.clone()));
            });
            let Some(charts) = charts else {
                return;
            };
            post(
                &Response::Charts {
                    generation: 0,
                    charts: charts.clone(),
                },
                None,
            );
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.geo = geo;
                s.full = Some((charts, findings));
            });
        };
        if skipped.is_some() {
            return send(None, skipped);
        }
        match geo {
            None => send(None, None),
            Some(fetch) => wasm_bindgen_futures::spawn_local(async move {
                match load_geo(fetch).await {
                    Ok(db) => send(Some(Rc::new(db)), None),
                    Err(e) => send(None, Some(format!("no countries: {GEO_URL}: {e}"))),
                }
            }),
        }
    }
}

async fn load_geo(fetch: JsFuture) -> Result<GeoDb, String> {
    let resp: web_sys::Response = fetch.await.map_err(js_err)?.dyn_into().map_err(js_err)?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    let bytes = Uint8Array::new(&buf).to_vec();
    GeoDb::from_bytes(&bytes)
}

/// The table's view restricted to the selected range, if one is.
pub fn restrict_view(index: &EventIndex, view: Option<Vec<u32>>) -> Option<Vec<u32>> {
    let range = STATE.with(|s| s.borrow().range);
    crate::charts::restrict_view(index, view, range)
}

/// `Request::Range`: applies the range to the table's later queries, and sends the range's findings and charts
/// (or, for `None`, the full file's again). `plain`: the file is not gzip (the pass may then skip its start).
pub fn select(
    generation: u32,
    range: Option<TimeRange>,
    file: File,
    plain: bool,
    with_session: WithSession,
) {
    let full = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.generation = generation;
        s.range = range;
        s.full.clone()
    });
    match range {
        None => {
            if let Some((charts, findings)) = full {
                post(&Response::Findings { findings }, None);
                post(&Response::Charts { generation, charts }, None);
            }
        }
        Some(r) => wasm_bindgen_futures::spawn_local(async move {
            match range_pass(generation, r, file, plain, with_session).await {
                Ok(Some((charts, findings))) => {
                    post(&Response::Findings { findings }, None);
                    post(&Response::Charts { generation, charts }, None);
                }
                Ok(None) => {} // a newer selection took over
                Err(message) => post(&Response::Error { message }, None),
            }
        }),
    }
}

fn current(generation: u32) -> bool {
    STATE.with(|s| s.borrow().generation == generation)
}

/// Lets the worker's event loop run (the messages that came meanwhile, e.g. a newer selection).
async fn yield_now() {
    let p = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(p).await;
}

async fn range_pass(
    generation: u32,
    range: TimeRange,
    file: File,
    plain: bool,
    with_session: WithSession,
) -> Result<Option<(Charts, Findings)>, String> {
    let reader = FileReaderSync::new().map_err(js_err)?;
    let total = file.size() as u64;
    let mut pass: Option<RangePass> = None;
    with_session(&mut |s| {
        pass = Some(if plain {
            RangePass::skipping(s, range)
        } else {
            RangePass::new(s, range)
        })
    });
    let Some(mut pass) = pass else {
        return Err("no file is open".into());
    };
    if let Some(note) = STATE.with(|s| s.borrow().findings_skipped.clone()) {
        pass.skip_findings(note);
    }
    let mut at = pass.start();
    let mut bytes = Vec::new();
    while at < total && !pass.complete() {
        yield_now().await;
        if !current(generation) {
            return Ok(None);
        }
        let end = (at + SLICE_BYTES).min(total);
        read_into(&reader, &file, at, end, &mut bytes)?;
        at = end;
        let mut res = Ok(());
        with_session(&mut |s| res = pass.feed(s, &bytes));
        if res.is_err() {
            // A corrupt gzip ends the input, as in the full pass.
            break;
        }
    }
    if !current(generation) {
        return Ok(None);
    }
    let geo = STATE.with(|s| s.borrow().geo.clone());
    let mut out = None;
    let mut pass = Some(pass);
    with_session(&mut |s| {
        if let Some(p) = pass.take() {
            out = Some(p.finish(s, geo.as_deref()));
        }
    });
    match out {
        Some(Ok((series, findings))) => {
            Ok(Some((Charts::new(Some(range), series, None), findings)))
        }
        Some(Err(e)) => Err(format!("the selection's charts: {e}")),
        None => Err("no file is open".into()),
    }
}
