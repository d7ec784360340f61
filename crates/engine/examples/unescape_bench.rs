//! Decoding JSON string values: the engine's `unescape_into` against `serde_json` (which needs the quotes, errs on
//! lone surrogates and invalid escapes, and allocates a `String` per value). `cargo run --release -p
//! logsieve-engine --example unescape_bench`.

use logsieve_engine::formats::json::unescape_into;
use std::time::Instant;

fn main() {
    let samples = [
        r#"payment \"declined\" for order 12345"#,
        r#"GET /api/v1/users?id=42 200 12ms\n"#,
        r#"java.lang.IllegalStateException: boom\n\tat com.example.Service.run(Service.java:42)\n\tat java.base/java.lang.Thread.run(Thread.java:833)\n"#,
        r#"caf\u00e9 \ud83d\ude00 \u65e5\u672c \\ C:\\Users\\x"#,
    ];
    let n = 500_000;
    for s in samples {
        let quoted = format!("\"{s}\"");
        let mut out = String::new();
        let t = Instant::now();
        let mut total = 0;
        for _ in 0..n {
            out.clear();
            unescape_into(std::hint::black_box(s), &mut out);
            total += out.len();
        }
        let ours = t.elapsed();
        let t = Instant::now();
        let mut total2 = 0;
        for _ in 0..n {
            let v: String = serde_json::from_str(std::hint::black_box(&quoted)).unwrap();
            total2 += v.len();
        }
        let serde = t.elapsed();
        assert_eq!(total, total2);
        println!(
            "{:>4} bytes: unescape_into {:>6.1} ns, serde_json {:>6.1} ns per value",
            s.len(),
            ours.as_nanos() as f64 / n as f64,
            serde.as_nanos() as f64 / n as f64
        );
    }
}
