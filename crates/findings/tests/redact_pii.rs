//! Personal data through the product's redactor: each shape from its specification is masked, the numbers of
//! ordinary logs (timestamps, ids, IPs, versions, block ids, hex dumps) and public contact addresses are not.

use logsieve_findings::Redactor;

fn redact(t: &str) -> String {
    Redactor::new().redact(t).into_owned()
}

#[track_caller]
fn masked(line: &str, value: &str, label: &str) {
    let out = redact(line);
    assert!(!out.contains(value), "{value:?} survives in {out:?}");
    assert!(
        out.contains(&format!("<{label}>")),
        "no <{label}> in {out:?}"
    );
}

#[track_caller]
fn kept(line: &str) {
    assert_eq!(redact(line), line);
}

#[test]
fn ibans() {
    masked(
        "iban=DE89370400440532013000;",
        "DE89370400440532013000",
        "iban",
    );
    masked(
        "IBAN: GB82 WEST 1234 5698 7654 32 (BIC",
        "GB82 WEST 1234 5698 7654 32",
        "iban",
    );
    masked(
        "account fr14 2004 1010 0505 0001 3m02 606",
        "fr14 2004 1010 0505 0001 3m02 606",
        "iban",
    );
    masked("{\"iban\": \"NO9386011117947\"}", "NO9386011117947", "iban");
    kept("iban=DE89370400440532013001 fails the check");
}

#[test]
fn chinese_ids() {
    masked("身份证 11010519491231002X", "11010519491231002X", "cn-id");
    masked(
        "idCard=110105491231002 (legacy)",
        "110105491231002",
        "cn-id",
    );
    masked("<SFZH>440301850615123</SFZH>", "440301850615123", "cn-id");
    kept("idCard=110105491331002 month 13");
    kept("req 990105491231002 no such province");
}

#[test]
fn ssns() {
    masked("ssn=078-05-1120", "078-05-1120", "ssn");
    masked("SSN: 219 09 9999 on file", "219 09 9999", "ssn");
    masked("SSN 078051120 failed", "078051120", "ssn");
    masked("social security number 219099999", "219099999", "ssn");
    kept("id 666-05-1120 area 666 is never issued");
    kept("id 900-05-1120 and 078-00-1120 and 078-05-0000");
    kept("order 078051120 shipped");
}

#[test]
fn phones() {
    for (line, value) in [
        ("手机 138 1234 5678", "138 1234 5678"),
        ("mobile=138-1234-5678&x", "138-1234-5678"),
        ("tel +86 138 1234 5678", "+86 138 1234 5678"),
        ("call 0086 138 1234 5678 now", "0086 138 1234 5678"),
        ("联系 (+86)13812345678", "+86)13812345678"),
        ("office 010-62345678", "010-62345678"),
        ("office 010-12345678", "010-12345678"),
        ("office (0755) 1234 5678", "(0755) 1234 5678"),
        ("call (415) 555-0132", "(415) 555-0132"),
        ("at 415-555-0132.", "415-555-0132"),
        ("at 415.555.0132", "415.555.0132"),
        ("at 415 555 0132", "415 555 0132"),
        ("at +1 415 555 0132", "+1 415 555 0132"),
        ("toll free 1-800-555-0199", "1-800-555-0199"),
        ("phone=4155550132", "4155550132"),
        ("London +44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
        ("Paris +33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("Berlin +49 30 901820", "+49 30 901820"),
        ("via 0044 20 7946 0958", "0044 20 7946 0958"),
        ("Tel.: 020 7946 0958", "020 7946 0958"),
        ("rappeler le 06 12 34 56 78", "06 12 34 56 78"),
        ("tel 06.12.34.56.78", "06.12.34.56.78"),
        ("Telefon 030 901820", "030 901820"),
        ("Rückruf an 0151 2345 6789 vereinbart", "0151 2345 6789"),
        ("手机 1381 234 5678", "1381 234 5678"),
        ("手机 138 12345678", "138 12345678"),
    ] {
        masked(line, value, "phone");
    }
}

#[test]
fn cards() {
    masked("card 4111.1111.1111.1111 x", "4111.1111.1111.1111", "card");
    masked("card 4111-1111-1111-1111", "4111-1111-1111-1111", "card");
    masked("pan 378282246310005", "378282246310005", "card");
}

#[test]
fn ordinary_numbers_stay() {
    for line in [
        "2024-01-15 10:23:45.123 took 1234 ms",
        "ts=1700000000 1700000000000 seq 20240115102345",
        "peers 10.0.0.1 192.168.100.123:8080 v1.2.3 10.251.43.210",
        "blk_-1608999687919862906 blk_3587508140051953248 len 67108864",
        "Code: 00 00 0f 0b 01 23 45 67 89 ab cd ef 48 89 e5",
        "0000: 0012 3456 7890 abcd ef01",
        "size 123 456 7890 bytes",
        "pid 12345 uid 1000 gid 100 size 1048576",
        "version 1.0.123.4567 build 0.12.34.56.78",
        "rx 01 23 45 67 89 ab",
        "uptime 0 12 345 678",
        "+0800 offset and +1 item",
        "Intel 0123 456789 and recall 0123456789",
        "getaddrinfo for 195-154-37-122.rev.poneytelecom.eu [195.154.37.122] failed",
        "host 183-136-190-222.static.example.net and 138-123-456-78",
    ] {
        kept(line);
    }
}

#[test]
fn emails() {
    for (line, value) in [
        ("user john.doe@corp.com logged in", "john.doe@corp.com"),
        (
            "to=<alice+tag@mail.example.co.uk>",
            "alice+tag@mail.example.co.uk",
        ),
        ("<a href=\"mailto:bob@x.org\">", "bob@x.org"),
        ("{\"email\": \"chen.zhang@mail.ru\"}", "chen.zhang@mail.ru"),
        (
            "GET /s?address=alice%40example.com HTTP/1.1",
            "alice%40example.com",
        ),
        ("(jane@example.org)", "jane@example.org"),
        (
            "rcpt \"bob smith\"@example.org ok",
            "\"bob smith\"@example.org",
        ),
    ] {
        masked(line, value, "email");
    }
    for line in [
        "\"Mozilla/5.0 (compatible; DotBot/1.1; http://www.opensiteexplorer.org/dotbot, help@moz.com)\"",
        "\"Mozilla/5.0 (compatible; Foo/2.1; +http://foo.example/bot; webmaster@livejournal.com)\"",
        "Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com) (gcc version 3.3.3)",
        "bounce: postmaster@example.org said 550",
        "From: no-reply@accounts.example.com",
    ] {
        kept(line);
    }
}

fn pii_work(text: &str) -> u64 {
    logsieve_findings::work::take();
    let mut out = Vec::new();
    logsieve_findings::pii::scan(text, &mut out);
    logsieve_findings::work::take()
}

/// The personal-data scans examine each byte a bounded number of times on adversarial lines (digit groups with
/// every separator, `+`, `0` and `00` repeated, IBAN starts, `%40` repeated, keywords before every number).
#[test]
fn pii_scan_is_linear() {
    let units = [
        "0",
        "0 ",
        "00 ",
        "+",
        "+1 ",
        "+0 ",
        "(0)",
        "1 2-3.4(5)6 ",
        "DE89 ",
        "de89",
        "%40",
        "a%40b.co ",
        "138 1234 5678 ",
        "0151 2345 6789 ",
        "06.12.34.56.78 ",
        "078-05-1120 ",
        "tel 0",
        "tel 01234567 ",
        "ssn 078051120 ",
        "+44 (0)20 ",
        "GB82 WEST 1234 5698 7654 32 ",
    ];
    for u in units {
        let small = u.repeat((1 << 14) / u.len());
        let large = u.repeat((1 << 16) / u.len());
        let (ws, wl) = (pii_work(&small), pii_work(&large));
        assert!(
            wl <= 8 * large.len() as u64 + 64,
            "{u:?}: {wl} bytes examined for {}",
            large.len()
        );
        assert!(
            wl <= 5 * ws + 64,
            "{u:?}: {ws} then {wl} for 4 times the text"
        );
    }
}
