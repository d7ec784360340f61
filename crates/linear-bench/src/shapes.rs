//! The texts the benchmark feeds: per shape, one event of about n bytes (`one`) and about n bytes of ~160-byte
//! lines (`lines`). Most shapes are a header followed by a repeated unit; the units are what make scans back up or
//! re-scan (keywords every few bytes, long digit runs with separators, nested brackets, tokens without spaces,
//! multi-byte UTF-8), with numbers that change from unit to unit so that no cache of repeated text helps.

use logsieve_findings::kinds::NEEDLES;

/// Lines of the `lines` mode are cut after this many bytes of units.
const LINE_BYTES: usize = 160;

pub struct Shape {
    pub name: &'static str,
    pub one: fn(usize) -> String,
    pub lines: fn(usize) -> String,
}

/// `head(0)` followed by units until the text holds `n` bytes.
fn one_of(n: usize, head: fn(usize) -> String, unit: fn(usize) -> String) -> String {
    let mut s = head(0);
    let mut i = 0;
    while s.len() < n {
        s.push_str(&unit(i));
        i += 1;
    }
    s
}

/// Lines `head(i)` + units (about [`LINE_BYTES`]) until the text holds `n` bytes.
fn lines_of(n: usize, head: fn(usize) -> String, unit: fn(usize) -> String) -> String {
    let mut s = String::with_capacity(n + 256);
    let mut i = 0;
    while s.len() < n {
        let start = s.len();
        s.push_str(&head(i));
        while s.len() - start < LINE_BYTES {
            s.push_str(&unit(i));
            i += 1;
        }
        s.push('\n');
    }
    s
}

/// Lines from `line(i)` until the text holds `n` bytes.
fn each_line(n: usize, line: fn(usize) -> String) -> String {
    let mut s = String::with_capacity(n + 256);
    let mut i = 0;
    while s.len() < n {
        s.push_str(&line(i));
        s.push('\n');
        i += 1;
    }
    s
}

/// A Spring Boot header at ERROR, a timestamp that moves 1 ms per line.
fn java(i: usize) -> String {
    format!(
        "2024-03-05 03:{:02}:{:02}.{:03} ERROR 1 --- [exec-{}] c.a.App : ",
        (i / 60_000) % 60,
        (i / 1000) % 60,
        i % 1000,
        i % 8
    )
}

fn ordinary(i: usize) -> String {
    format!(
        "user {i} fetched /api/v1/items/{} in {} ms from host-{}.example.com; ",
        i * 7,
        i % 97,
        i % 13
    )
}

fn failures(i: usize) -> String {
    format!("{} {i} ", NEEDLES[i % NEEDLES.len()].text)
}

const SECRET_WORDS: &[&str] = &[
    "sk-",
    "password=",
    "Authorization: Bearer ",
    "api_key=",
    "token=",
    "AKIA",
    "ghp_",
    "xoxb-",
    "-----BEGIN ",
    "eyJ",
    "@",
    "://",
    "secret: ",
    "postgres://u:p@",
];

fn secrets(i: usize) -> String {
    format!("{}{i} ", SECRET_WORDS[i % SECRET_WORDS.len()])
}

fn password_head(i: usize) -> String {
    format!("{}password=x ", java(i))
}

fn sk(_: usize) -> String {
    "sk-".into()
}

fn ips(i: usize) -> String {
    format!("10.{}.{}.{} ", (i / 65536) % 256, (i / 256) % 256, i % 256)
}

fn hex(i: usize) -> String {
    format!("{:02x} ", (i * 37) % 256)
}

fn phones(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!("+1 (555) 01{:02}-{:04}, ", i % 100, i % 10_000)
    } else {
        "4111 1111 1111 1111, ".into()
    }
}

fn trace_words(i: usize) -> String {
    format!("Caused by: at Exception{i} ")
}

fn utf8(i: usize) -> String {
    format!("日本語のログ ü€ 😀 Ошибка соединения {i} ")
}

/// 64 characters of a base64 alphabet, different per `i`, no spaces.
fn token(i: usize) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..64)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            B64[(x % 64) as usize] as char
        })
        .collect()
}

/// A base64 token (standard alphabet, 44 characters or more) of text that holds key words: every token passes the
/// entropy test and is decoded and searched again.
fn b64_text(i: usize) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let plain = format!(
        "{{\"password\":\"x{i:08}Q\",\"user\":\"Zz{i}\",\"token\":\"t{}\"}}",
        i * 7919
    );
    let mut out = String::new();
    for chunk in plain.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, b)| n | (*b as u32) << (16 - 8 * k));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.push(' ');
    out
}

/// Query strings whose parameters name each other (`u` and `p`, `code` and `state`).
fn queries(i: usize) -> String {
    format!("?u=a{i}&p=P{i}x&code=c{i}&state=s&appid=A1b2C3d4E5f6G7h8{i}&")
}

/// Kubernetes `env` entries, a credential's name then its value, one line each.
fn env_pairs(i: usize) -> String {
    format!("        - name: DB_PASSWORD_{i}\n          value: \"pw{i}Xq\"\n")
}

/// Class characters without a break: every `Exception` in the run is a candidate exception name.
fn exc_run(_: usize) -> String {
    "a.BException".into()
}

fn nested_head(i: usize) -> String {
    format!("{}org.springframework.web.FooException: failed; ", java(i))
}

/// Spring's inline causes, many on one line.
fn nested(i: usize) -> String {
    format!("nested exception is com.x.Fail{i}Exception: m{i}; ")
}

/// .NET's `Class (0xHRESULT): message`, never closed.
fn hresult(_: usize) -> String {
    "a.BException (0x80131904 ".into()
}

fn ip_head(i: usize) -> String {
    format!("{}Failed password for root from ", sshd(i))
}

/// Client-address markers without a break: each starts a token that runs to the end.
fn ip_markers(_: usize) -> String {
    "ip=".into()
}

/// A trace with a cause on every line.
fn causes_one(n: usize) -> String {
    let mut s = format!("{}java.lang.IllegalStateException: boom\n", java(0));
    let mut i = 0;
    while s.len() < n {
        s.push_str(&format!("Caused by: com.example.Cause{i}Exception: c{i}\n"));
        i += 1;
    }
    s
}

fn causes_lines(n: usize) -> String {
    let mut s = String::with_capacity(n + 256);
    let mut i = 0;
    while s.len() < n {
        s.push_str(&java(i));
        s.push_str("java.lang.IllegalStateException: boom\n");
        for c in 0..4 {
            s.push_str(&format!("Caused by: com.example.Cause{c}Exception: c{i}\n"));
        }
        i += 1;
    }
    s
}

/// Errors one per second for 2,700 seconds, then 300 errors at 20 a second (a burst), repeated: past 20,000 error
/// seconds (the excerpts the analyzer keeps) the bursts' evidence lines have no excerpt.
fn burst_long_line(i: usize) -> String {
    let (period, k) = (i / 3_000, i % 3_000);
    let secs = period * 2_715
        + if k < 2_700 {
            k
        } else {
            2_700 + (k - 2_700) / 20
        };
    format!(
        "2024-03-{:02} {:02}:{:02}:{:02}.{:03} ERROR 1 --- [exec-{}] c.a.Svc : job {i} failed with code {}",
        5 + secs / 86_400,
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60,
        (k % 20) * 50,
        i % 8,
        i % 97
    )
}

/// Words without digits spelled from `i` (base 26): the template miner keeps each line as a new key, up to its
/// key limit (compacting at 4,096, 8,192 and 16,384 keys).
fn distinct_words(i: usize) -> String {
    let mut w = String::new();
    let mut x = i;
    for _ in 0..4 {
        w.push((b'a' + (x % 26) as u8) as char);
        x /= 26;
    }
    format!("{w} {} {w}x ", &w[..2])
}

fn brackets_one(n: usize) -> String {
    let depth = n / 6;
    let mut s = java(0);
    for _ in 0..depth {
        s.push_str("[{(");
    }
    s.push('x');
    for _ in 0..depth {
        s.push_str(")}]");
    }
    s
}

fn brackets_line(i: usize) -> String {
    format!("{}{}x{i}{}", java(i), "[{(".repeat(25), ")}]".repeat(25))
}

/// A Java trace: frames, with a `Caused by:` every 16 frames.
fn trace_one(n: usize) -> String {
    let mut s = format!("{}java.lang.IllegalStateException: boom\n", java(0));
    let mut i = 0;
    while s.len() < n {
        if i % 16 == 15 {
            s.push_str(&format!("Caused by: java.io.IOException{i}: x{i}\n"));
        }
        s.push_str(&format!(
            "\tat com.example.svc.Handler{i}.handle(Handler.java:{i})\n"
        ));
        i += 1;
    }
    s
}

/// Many short traces, with more distinct exception classes than the analyzer keeps groups for.
fn trace_lines(n: usize) -> String {
    let mut s = String::with_capacity(n + 256);
    let mut i = 0;
    while s.len() < n {
        s.push_str(&java(i));
        s.push_str(&format!(
            "com.example.Failure{}Exception: boom {i}\n",
            i % 7000
        ));
        for f in 0..8 {
            s.push_str(&format!(
                "\tat com.example.svc.Handler{f}.handle(Handler.java:{i})\n"
            ));
        }
        i += 1;
    }
    s
}

fn pytrace_one(n: usize) -> String {
    let mut s = String::from("Traceback (most recent call last):\n");
    let mut i = 0;
    while s.len() < n {
        s.push_str(&format!(
            "  File \"/app/m{i}.py\", line {i}, in f{i}\n    call{i}()\n"
        ));
        i += 1;
    }
    s.push_str("ValueError: bad\n");
    s
}

fn pytrace_lines(n: usize) -> String {
    let mut s = String::with_capacity(n + 256);
    let mut i = 0;
    while s.len() < n {
        s.push_str(&format!(
            "{}request failed\nTraceback (most recent call last):\n",
            java(i)
        ));
        for f in 0..4 {
            s.push_str(&format!(
                "  File \"/app/m{f}.py\", line {i}, in f{f}\n    call{f}()\n"
            ));
        }
        s.push_str(&format!("ValueError{}: bad {i}\n", i % 7000));
        i += 1;
    }
    s
}

const ATTACK: &str = "%27%20OR%201%3D1--%20<script>alert(1)</script>&f=../../etc/passwd;cat%20/etc/passwd&u=http://x/";

fn access_line(i: usize) -> String {
    format!(
        "10.{}.{}.{} - - [05/Mar/2024:03:{:02}:{:02} +0000] \"GET /search?q={ATTACK}{i} HTTP/1.1\" {} {} \"-\" \"sqlmap/1.{}\"",
        (i / 65536) % 256,
        (i / 256) % 256,
        i % 256,
        (i / 60) % 60,
        i % 60,
        [200, 404, 500, 504][i % 4],
        i % 9000,
        i % 10
    )
}

fn access_one(n: usize) -> String {
    let mut q = String::with_capacity(n + 256);
    while q.len() < n {
        q.push_str(ATTACK);
    }
    format!("10.0.0.1 - - [05/Mar/2024:03:00:00 +0000] \"GET /search?q={q} HTTP/1.1\" 404 0 \"-\" \"sqlmap/1.0\"")
}

fn sshd(i: usize) -> String {
    format!(
        "Mar  5 03:{:02}:{:02} web1 sshd[{}]: ",
        (i / 60) % 60,
        i % 60,
        1000 + i % 5000
    )
}

fn auth_unit(i: usize) -> String {
    format!(
        "Failed password for invalid user admin{i} from 10.0.{}.{} port {} ssh2; ",
        (i / 256) % 256,
        i % 256,
        1024 + i % 60000
    )
}

fn auth_line(i: usize) -> String {
    format!("{}{}", sshd(i), auth_unit(i))
}

const CRASH_LINES: &[&str] = &[
    "INFO 1 --- [main] c.a.App : Starting Application v1.0 using Java 17 with PID",
    "INFO 1 --- [main] c.a.App : Started Application in 3.2 seconds (process running for 3.9)",
    "ERROR 1 --- [main] o.s.b.SpringApplication : Application run failed: java.lang.IllegalStateException: boom",
    "INFO systemd[1]: app.service: Main process exited, code=exited, status=1/FAILURE",
];

fn crash_unit(i: usize) -> String {
    format!("{} {i}; ", CRASH_LINES[i % CRASH_LINES.len()])
}

fn crash_line(i: usize) -> String {
    let t = java(i * 250);
    let head = &t[..23];
    format!("{head} {} {i}", CRASH_LINES[i % CRASH_LINES.len()])
}

/// Errors in bursts: one block of 4096 lines in 8 at ERROR, from 64 message templates, 20 ms apart.
fn burst_line(i: usize) -> String {
    let ms = i * 20;
    let level = if (i / 4096) % 8 == 3 { "ERROR" } else { "INFO" };
    format!(
        "2024-03-05 {:02}:{:02}:{:02}.{:03} {level} 1 --- [exec-{}] c.a.Svc{} : step {} of job {i} took {} ms",
        (ms / 3_600_000) % 24,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000,
        i % 8,
        i % 64,
        i % 64,
        i % 97
    )
}

fn burst_one(n: usize) -> String {
    one_of(n, java, ordinary)
}

fn json_line(i: usize) -> String {
    format!(
        "{{\"ts\":\"2024-03-05T03:{:02}:{:02}.{:03}Z\",\"level\":\"error\",\"msg\":\"request failed for user {i} email a{i}@example.com\",\"ctx\":{{\"ip\":\"10.0.{}.{}\",\"path\":\"/a/{i}\",\"tags\":[[1,[2,[3]]]]}}}}",
        (i / 60_000) % 60,
        (i / 1000) % 60,
        i % 1000,
        (i / 256) % 256,
        i % 256
    )
}

fn json_one(n: usize) -> String {
    let mut msg = String::with_capacity(n + 256);
    let mut i = 0;
    while msg.len() < n {
        msg.push_str(&ordinary(i));
        i += 1;
    }
    format!("{{\"ts\":\"2024-03-05T03:00:00.000Z\",\"level\":\"error\",\"msg\":\"{msg}\"}}")
}

macro_rules! simple {
    ($name:literal, $head:expr, $unit:expr) => {
        Shape {
            name: $name,
            one: |n| one_of(n, $head, $unit),
            lines: |n| lines_of(n, $head, $unit),
        }
    };
}

/// Every shape, by name.
pub fn all() -> Vec<Shape> {
    vec![
        simple!("ordinary", java, ordinary),
        simple!("failures", java, failures),
        simple!("secrets", java, secrets),
        simple!("password-sk", password_head, sk),
        simple!("ips", java, ips),
        simple!("hex", java, hex),
        simple!("phones", java, phones),
        Shape {
            name: "brackets",
            one: brackets_one,
            lines: |n| each_line(n, brackets_line),
        },
        simple!("token", java, token),
        simple!("utf8", java, utf8),
        simple!("trace-words", java, trace_words),
        Shape {
            name: "java-trace",
            one: trace_one,
            lines: trace_lines,
        },
        Shape {
            name: "py-trace",
            one: pytrace_one,
            lines: pytrace_lines,
        },
        Shape {
            name: "access",
            one: access_one,
            lines: |n| each_line(n, access_line),
        },
        Shape {
            name: "auth",
            one: |n| one_of(n, sshd, auth_unit),
            lines: |n| each_line(n, auth_line),
        },
        Shape {
            name: "crash",
            one: |n| one_of(n, java, crash_unit),
            lines: |n| each_line(n, crash_line),
        },
        Shape {
            name: "burst",
            one: burst_one,
            lines: |n| each_line(n, burst_line),
        },
        simple!("distinct-words", java, distinct_words),
        simple!("exc-run", java, exc_run),
        simple!("nested", nested_head, nested),
        simple!("hresult", java, hresult),
        simple!("ip-markers", ip_head, ip_markers),
        simple!("b64-text", java, b64_text),
        simple!("queries", java, queries),
        simple!("env-pairs", java, env_pairs),
        Shape {
            name: "causes",
            one: causes_one,
            lines: causes_lines,
        },
        Shape {
            name: "burst-long",
            one: burst_one,
            lines: |n| each_line(n, burst_long_line),
        },
        Shape {
            name: "json",
            one: json_one,
            lines: |n| each_line(n, json_line),
        },
    ]
}

pub fn get(name: &str) -> Shape {
    all()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no shape `{name}`"))
}

// ------------------------------------------------------------------ Kubernetes inputs

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug-NAME
  namespace: ops
  annotations:
    note: \"NOTE\"
spec:
  hostNetwork: true
  containers:
    - name: shell
      image: nginx
      env:
        - name: DB_PASSWORD
          value: \"s3cr3t-Passw0rd\"
      securityContext:
        privileged: true
";

/// Manifests: pods with distinct names, `---` between them; `one`: one pod whose annotation holds n bytes.
pub fn manifests(n: usize, one: bool) -> String {
    if one {
        let note: String = "abc def ".repeat(n / 8);
        return POD.replace("NAME", "0").replace("NOTE", &note);
    }
    let mut s = String::with_capacity(n + 1024);
    let mut i = 0;
    while s.len() < n {
        s.push_str("---\n");
        s.push_str(&POD.replace("NAME", &i.to_string()).replace("NOTE", "x"));
        i += 1;
    }
    s
}

/// `kubectl get pods -A -o wide`: rows with distinct names; `one`: one row whose name is n bytes long.
pub fn pods_table(n: usize, one: bool) -> String {
    let mut s = String::from("NAMESPACE   NAME                       READY   STATUS             RESTARTS      AGE    IP            NODE       NOMINATED NODE   READINESS GATES\n");
    if one {
        let name = "web-".repeat(n / 4);
        s.push_str(&format!("shop        {name}   0/1     CrashLoopBackOff   5 (21s ago)   23m    10.244.3.21   worker-3   <none>           <none>\n"));
        return s;
    }
    let statuses = [
        "Running",
        "Evicted",
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "Pending",
        "OOMKilled",
    ];
    let mut i = 0;
    while s.len() < n {
        s.push_str(&format!(
            "ns{}        web-{i:08}-x2x9q       0/1     {:<18} {}             3d4h   10.244.{}.{}   worker-{}   <none>           <none>\n",
            i % 50,
            statuses[i % statuses.len()],
            i % 9,
            (i / 256) % 256,
            i % 256,
            i % 40
        ));
        i += 1;
    }
    s
}

/// `kubectl get events -A`: rows; `one`: one row whose message is n bytes long.
pub fn events_table(n: usize, one: bool) -> String {
    let mut s = String::from("NAMESPACE   LAST SEEN           TYPE      REASON                      OBJECT                             MESSAGE\n");
    let row = |i: usize, msg: &str| {
        format!(
            "shop        {}m                  Warning   BackOff                     pod/web-{i:08}-4hq7n           {msg}\n",
            i % 60
        )
    };
    if one {
        let msg = "Back-off restarting failed container web in pod web; ".repeat(n / 53 + 1);
        s.push_str(&row(0, &msg));
        return s;
    }
    let mut i = 0;
    while s.len() < n {
        s.push_str(&row(
            i,
            "Back-off restarting failed container web in pod web",
        ));
        i += 1;
    }
    s
}
