//! Redaction: every planted secret and personal datum is masked with its type, in `redact`-style line-by-line
//! output, in whole-text redaction, and nowhere in the findings, excerpts or the Markdown report.

mod common;
use common::*;
use logsieve_findings::Redactor;

fn planted() -> Vec<(String, String)> {
    let text = String::from_utf8(read_fixture("secrets_planted.expect")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (a, b) = l.split_once('\t').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

fn assert_none_left(what: &str, out: &str, planted: &[(String, String)]) {
    for (label, v) in planted {
        assert!(
            !out.contains(v.as_str()),
            "{what}: the {label} {v:?} survived"
        );
        // No long piece of it either (a partial mask would leave a usable prefix or suffix).
        if v.len() >= 24 {
            let head = &v[..16];
            let tail = &v[v.len() - 16..];
            assert!(
                !out.contains(head) && !out.contains(tail),
                "{what}: part of the {label} {v:?} survived"
            );
        }
    }
}

#[test]
fn planted_values_are_in_the_fixture() {
    let raw = String::from_utf8(read_fixture("secrets_planted.log")).unwrap();
    let p = planted();
    assert!(p.len() >= 50, "{} planted values", p.len());
    for (label, v) in &p {
        assert!(raw.contains(v.as_str()), "{label} {v} is planted");
    }
}

#[test]
fn line_redaction_masks_every_planted_value_and_keeps_the_lines() {
    let raw = String::from_utf8(read_fixture("secrets_planted.log")).unwrap();
    let r = Redactor::new();
    let mut lr = r.lines();
    let out: Vec<String> = raw.lines().map(|l| lr.line(l).into_owned()).collect();
    assert_eq!(out.len(), raw.lines().count(), "same number of lines");
    let joined = out.join("\n");
    assert_none_left("line redaction", &joined, &planted());
    // Lines without secrets are unchanged.
    for (a, b) in raw.lines().zip(&out) {
        if a.contains("com.acme.api.RequestLog") {
            assert_eq!(a, b);
        }
    }
    // Typed masks that keep the structure.
    for mask in [
        "accessKeyId=<secret:aws-key>",
        "AWS_SECRET_ACCESS_KEY=<secret:aws-secret>",
        "https://x-access-token:<secret:github-token>@github.com",
        "PRIVATE-TOKEN: <secret:gitlab-token>",
        "token <secret:slack-token>",
        "https://hooks.slack.com/services/<secret:slack-webhook>",
        "https://discord.com/api/webhooks/<secret:discord-webhook>",
        "robot/send?access_token=<secret:dingtalk-webhook>",
        "webhook/send?key=<secret:wecom-webhook>",
        "bot/v2/hook/<secret:feishu-webhook>",
        "api.telegram.org/bot<secret:telegram-token>/sendMessage",
        "provided: <secret:stripe-key>",
        "Bearer <secret:openai-key>",
        "x-api-key=<secret:anthropic-key>",
        "key=<secret:gcp-api-key>",
        "full=<secret:jwt>",
        "Authorization=Bearer <secret:bearer-token>",
        "Authorization: Basic <secret:basic-auth>",
        "amqp://orders:<secret:password>@mq.internal",
        "&password=<secret:password>",
        "app_user:<secret:password>@pg.internal",
        "thin:scott/<secret:password>@ora.internal",
        "password=<secret:password>;encrypt=true",
        "\"password\":\"<secret:password>\"",
        "AccountKey=<secret:azure-storage-key>;",
        "_authToken=<secret:npm-token>",
        "key <secret:sendgrid-key>",
        "X-Vault-Token: <secret:vault-token>",
        "accessKeyId=<secret:alibaba-key>",
        "SecretId=<secret:tencent-key>",
        "-----BEGIN RSA PRIVATE KEY-----",
        "\"private_key\":\"-----BEGIN PRIVATE KEY-----<secret:private-key>-----END PRIVATE KEY-----",
        "email=<email> name",
        "sent to <<email>>",
        "mobile <phone>",
        "mobile <phone>",
        "phone=<phone>, country",
        "idCard=<cn-id>",
        "card <card> exp",
        "pan=<card>",
        "Card on file: <card> (AMEX)",
    ] {
        assert!(joined.contains(mask), "mask {mask:?} missing");
    }
    assert_eq!(
        out.iter()
            .filter(|l| l.as_str() == "<secret:private-key>")
            .count(),
        8,
        "each PEM body line masked"
    );
}

#[test]
fn whole_text_redaction_masks_every_planted_value() {
    let raw = String::from_utf8(read_fixture("secrets_planted.log")).unwrap();
    let out = Redactor::new().redact(&raw).into_owned();
    assert_eq!(out.lines().count(), raw.lines().count());
    assert_none_left("text redaction", &out, &planted());
}

#[test]
fn findings_and_report_never_show_a_planted_value() {
    let (stats, a) = analyze("secrets_planted.log");
    let json = serde_json::to_string(&a).unwrap();
    assert_none_left("analysis JSON", &json, &planted());
    let md = a.markdown(&stats);
    assert_none_left("Markdown report", &md, &planted());
    let labels: std::collections::BTreeSet<String> =
        planted().into_iter().map(|(l, _)| l).collect();
    // Every planted type is reported (the bearer-wrapped OpenAI key reports as the OpenAI key).
    for l in labels {
        let found = a.findings.iter().any(|f| {
            (f.kind == "secret_exposure" || f.kind == "pii_exposure")
                && f.summary.contains(&format!("<secret:{l}>"))
                || f.summary.contains(&format!("<{l}>"))
        });
        assert!(found, "no exposure finding for {l}");
    }
    // Secrets are secret_exposure, personal data pii_exposure.
    assert!(of_kind(&a, "secret_exposure").len() >= 25);
    assert!(of_kind(&a, "pii_exposure").len() == 4);
    let email = a
        .findings
        .iter()
        .find(|f| f.title.contains("e-mail"))
        .unwrap();
    assert_eq!(email.severity, logsieve_engine::Severity::Low);
    let aws = a
        .findings
        .iter()
        .find(|f| f.title.contains("AWS access key"))
        .unwrap();
    assert_eq!(aws.severity, logsieve_engine::Severity::Critical);
    assert!(aws.hotfix[0].contains("rotate"), "{:?}", aws.hotfix);
}

#[test]
fn secrets_in_other_findings_are_masked() {
    // A password inside an exception message and a token in a failing URL: the exception finding and the
    // failure finding quote the message, redacted.
    let log = "2024-03-05 10:00:00.000 ERROR 1 --- [main] c.a.Db : Connection failed\n\
java.sql.SQLException: Access denied for jdbc:mysql://app:Sup3rS3cret!@db.internal:3306/x (using password: YES)\n\
\tat com.acme.Db.open(Db.java:10)\n\
2024-03-05 10:00:01.000 ERROR 1 --- [main] c.a.Http : GET https://api.example.com/v1?api_key=abcd1234efgh5678ijkl failed: java.net.SocketTimeoutException: Read timed out\n";
    let (stats, a) = analyze_bytes(log.as_bytes());
    let all = serde_json::to_string(&a).unwrap() + &a.markdown(&stats);
    assert!(!all.contains("Sup3rS3cret!"), "{all}");
    assert!(!all.contains("abcd1234efgh5678ijkl"), "{all}");
    assert!(all.contains("<secret:password>"));
}

#[test]
fn pseudonyms_are_consistent() {
    let mut p = logsieve_findings::Pseudonymizer::new();
    let a = p.apply("client 203.0.113.9 called payments.internal.example.com");
    let b = p.apply("payments.internal.example.com answered 203.0.113.9 and 10.0.0.1");
    assert_eq!(a, "client ip-1 called host-1");
    assert_eq!(b, "host-1 answered ip-1 and ip-2");
}

#[test]
fn templates_lose_the_local_part_of_split_addresses() {
    let r = Redactor::new();
    assert_eq!(
        r.redact_template("login from <*> for bob.smith@<*> ok"),
        "login from <*> for <user>@<*> ok"
    );
    assert_eq!(r.redact_template("to=<alice@<*>>,"), "to=<<user>@<*>>,");
    assert_eq!(r.redact_template("user@host <*>"), "user@host <*>");
    assert_eq!(r.redact_template("<*>@<*>"), "<*>@<*>");
}

#[test]
fn templates_keep_every_variable_inside_a_masked_run() {
    let r = Redactor::new();
    // Digits on both sides of a variable read as one card or phone number; the variable stays between masks.
    let t = "block 08378234574334<*>81441110 from <*>";
    let red = r.redact_template(t);
    assert_eq!(red.matches("<*>").count(), 2, "{red}");
    let t = "password=ab<*>cd token <*>";
    let red = r.redact_template(t);
    assert_eq!(red.matches("<*>").count(), 2, "{red}");
    assert!(!red.contains("ab<*>cd"), "{red}");
}

#[test]
fn pseudonymizing_twice_changes_nothing() {
    let long_host = format!("{}example.com", "a.".repeat(200));
    let cases = [
        "1.2.3.4.nip.io and 10.0.0.1",
        "fe80::1-a.example.com",
        "1::2-x.com 10.0.0.1-10.0.0.9",
        "10.0.0.1.foo.bar.com 10.0.0.2.foo 10.0.0.3-",
        "host:db.example.com redis:10.0.0.7:6379",
        "10.0.0.1_x.com 1.2.3.4:6379 gw:db.example.com",
        long_host.as_str(),
    ];
    for text in cases {
        let mut p = logsieve_findings::Pseudonymizer::new();
        let once = p.apply(text);
        assert_eq!(p.apply(&once), once, "{text}");
        assert!(!once.contains("example.com"), "{text} -> {once}");
    }
    let mut p = logsieve_findings::Pseudonymizer::new();
    assert_eq!(p.apply("1.2.3.4.nip.io"), "host-1");
    // Inside an address a colon does not start a word; the mapped IPv4 is still the one address.
    let mut p = logsieve_findings::Pseudonymizer::new();
    let once = p.apply("::ffff:1.2.3.4.example.com ::ffff:10.0.0.1");
    assert_eq!(p.apply(&once), once);
    assert!(once.ends_with(" ip-1"), "{once}");
}
