//! `cargo run -p logsieve-k8s --example k8s_audit -- FILE [--fix]`: print the findings (or the fixed input).
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: k8s_audit FILE [--fix]");
    let text = std::fs::read_to_string(&path).expect("read");
    if args.next().as_deref() == Some("--fix") {
        match logsieve_k8s::fix(&text) {
            Ok(out) => print!("{out}"),
            Err(e) => eprintln!("{e}"),
        }
        return;
    }
    match logsieve_k8s::audit(&text) {
        Ok(a) => {
            println!("input: {}", a.input.as_str());
            for f in &a.findings {
                let t = f.k8s.as_ref().unwrap();
                println!(
                    "[{}] {} — {}\n    at {} {:?}/{} c={:?} path={} lines={:?}",
                    f.severity.as_str(),
                    f.kind,
                    f.title,
                    t.kind,
                    t.namespace,
                    t.name,
                    t.container,
                    t.yaml_path,
                    f.evidence.lines
                );
                if std::env::var("SHOW").is_ok() {
                    println!("    summary: {}", f.summary);
                    println!(
                        "{}",
                        t.fix
                            .lines()
                            .map(|l| format!("      | {l}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                }
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
