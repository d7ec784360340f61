//! Where credentials and personal data hide in log lines: each case is a syntax (a key naming, a header, a flag,
//! a connection string, a token family's documented shape) with a made-up value that must not survive.

use logsieve_findings::Redactor;

/// Each line holds `value`; after redaction it must be gone and the line must show a mask.
fn masked(cases: &[(&str, &str)]) {
    let r = Redactor::new();
    let mut bad = Vec::new();
    for (line, value) in cases {
        assert!(line.contains(value), "{value} is in {line}");
        let out = r.redact(line);
        if out.contains(value) || !out.contains('<') {
            bad.push(format!("{line}\n  -> {out}"));
        }
    }
    assert!(bad.is_empty(), "{} leaks:\n{}", bad.len(), bad.join("\n"));
}

fn unchanged(lines: &[&str]) {
    let r = Redactor::new();
    let bad: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let out = r.redact(l);
            (out != *l).then(|| format!("{l}\n  -> {out}"))
        })
        .collect();
    assert!(bad.is_empty(), "changed:\n{}", bad.join("\n"));
}

#[test]
fn passwords_under_any_key_name() {
    masked(&[
        (
            "java -Djavax.net.ssl.keyStorePassword=Kx9vT2qa -jar app.jar",
            "Kx9vT2qa",
        ),
        ("DATA_SOURCE_PASSWORD=pq7Wm3zz", "pq7Wm3zz"),
        ("login_password=zz81Qa", "zz81Qa"),
        ("PGPASSWORD=Zt4kq1 psql -h db", "Zt4kq1"),
        ("MYSQL_ROOT_PASSWORD=mR00tpw", "mR00tpw"),
        ("db_pass=hunter22", "hunter22"),
        ("passwd=Gh7_k2s", "Gh7_k2s"),
        ("pwd=Pa55w0rd!", "Pa55w0rd!"),
        ("secret_key=Tz81kQ0vLm2pXx7w", "Tz81kQ0vLm2pXx7w"),
        ("client_secret=Qm8sT1uV9wX2yZ3a", "Qm8sT1uV9wX2yZ3a"),
        (
            "\"private_key_id\": \"3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e\"",
            "3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
        ),
        (
            "msg={\\\"user\\\":\\\"bob\\\",\\\"password\\\":\\\"s3cr3tPw\\\"}",
            "s3cr3tPw",
        ),
        ("<datasource password=\"xK9!mm2\" user=\"app\"/>", "xK9!mm2"),
        (
            "<property name=\"password\" value=\"Vv8_pl2w\"/>",
            "Vv8_pl2w",
        ),
        (
            "<add key=\"ApiKey\" value=\"a8f7e6d5c4b3a291\"/>",
            "a8f7e6d5c4b3a291",
        ),
        ("<password>Qw3rty99</password>", "Qw3rty99"),
        ("<ns:secret>Zq9x8w7v6u5t</ns:secret>", "Zq9x8w7v6u5t"),
        ("  password: Sup3r-S3cret", "Sup3r-S3cret"),
        ("  secret: \"aB3dE5fG7hJ9kL1m\"", "aB3dE5fG7hJ9kL1m"),
        (
            "GET /cb?next=%2Fhome%3Ftoken%3Dghp_16C7e42F292c6912E7710c838347Ae178B4a HTTP/1.1",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        ),
        ("POST body: user%3Dbob%26password%3Dp4ssW0rd", "p4ssW0rd"),
        (
            "GET /api?user=bob&token=8f3a9b2c7d1e4f5a6b7c HTTP/1.1",
            "8f3a9b2c7d1e4f5a6b7c",
        ),
        (
            "{\"name\": \"DB_PASSWORD\", \"value\": \"k8sPw_991\"}",
            "k8sPw_991",
        ),
    ]);
}

#[test]
fn command_lines() {
    masked(&[
        ("mysql -u root -pR00tPw9 -h db", "R00tPw9"),
        ("mysql --password=R00tPw9 -h db", "R00tPw9"),
        ("sshpass -p Zx81pwq ssh admin@host", "Zx81pwq"),
        ("curl -u admin:S3cr3tPw https://api.example.com", "S3cr3tPw"),
        ("deploy --password Qq1!w2e3 --verbose", "Qq1!w2e3"),
        (
            "cli --token 9f8e7d6c5b4a39281706 --region eu",
            "9f8e7d6c5b4a39281706",
        ),
        ("redis-cli -h cache -a R3disPw0 ping", "R3disPw0"),
        ("psql postgres://app:PgPw_881@db:5432/app", "PgPw_881"),
        (
            r"net use Z: \\files\share /user:CORP\bob Nt7Pw_x1",
            "Nt7Pw_x1",
        ),
        (r"net use \\files\share Nt8Pw_x2 /user:bob", "Nt8Pw_x2"),
        ("net user svc_backup Nt9Pw_x3 /add /domain", "Nt9Pw_x3"),
    ]);
    // `net` as a word, and `net use` without a password, keep everything; a later tool is still read.
    let r = Redactor::new();
    for quiet in [
        "net income rose 5 %",
        r"net use Z: \\files\share /persistent:yes",
        "net user bob /delete",
        "net view",
    ] {
        assert_eq!(r.redact(quiet), quiet);
    }
    assert_eq!(
        r.redact("the net result; curl -u a:CuPw_77x https://x"),
        "the net result; curl -u a:<secret:password> https://x"
    );
}

#[test]
fn connection_strings() {
    masked(&[
        ("dsn=app:GoPw_771@tcp(db:3306)/orders?parseTime=true", "GoPw_771"),
        ("jdbc:postgresql://db:5432/app?user=app&password=JdPw_12", "JdPw_12"),
        ("jdbc:oracle:thin:scott/T1ger_x@db:1521:ORCL", "T1ger_x"),
        ("mongodb+srv://app:MgPw_551@cluster0.example.net/db", "MgPw_551"),
        ("redis://:RdPw_661@cache:6379/0", "RdPw_661"),
        ("amqp://guest:AmPw_441@mq:5672/", "AmPw_441"),
        ("Server=db;Database=app;User Id=sa;Password=SqPw_331;", "SqPw_331"),
        ("Driver={ODBC};Uid=sa;Pwd=OdPw_221;", "OdPw_221"),
        ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlzZWNyZXRrZXkxMjM0NTY3ODkwYWJjZGVmZ2hpams=;EndpointSuffix=core.windows.net", "bXlzZWNyZXRrZXkxMjM0NTY3ODkwYWJjZGVmZ2hpams="),
        ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA=="),
        ("GET /blob?sv=2022-11-02&se=2026-01-01&sig=Xk2%2Bq9LmN0pQ7rS1tU3vW5yZ8aB4cD6eF0gH2iJ4kL%3D", "Xk2%2Bq9LmN0pQ7rS1tU3vW5yZ8aB4cD6eF0gH2iJ4kL%3D"),
    ]);
}

#[test]
fn headers_and_cookies() {
    masked(&[
        ("Authorization: Basic YWRtaW46czNjcjN0", "YWRtaW46czNjcjN0"),
        ("Authorization: Bearer abc123def456ghi789", "abc123def456ghi789"),
        ("Authorization: Digest username=\"bob\", realm=\"x\", nonce=\"dcd98b7102dd2f0e\", response=\"6629fae49393a05397450978507c4ef1\"", "6629fae49393a05397450978507c4ef1"),
        ("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"),
        ("Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag", "YIIGhgYGKwYBBQUCoIIGejCCBnag"),
        ("Authorization: NTLM TlRMTVNTUAABAAAAB4IIog==", "TlRMTVNTUAABAAAAB4IIog=="),
        ("Authorization: SSWS 00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("Authorization: GenieKey 1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718", "1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718"),
        ("Authorization: Splunk 5b8c7a9e-1111-2222-3333-444455556666", "5b8c7a9e-1111-2222-3333-444455556666"),
        ("Proxy-Authorization: Basic cHJveHk6cHc5OTk=", "cHJveHk6cHc5OTk="),
        ("X-API-Key: 7d9f0a1b2c3d4e5f6a7b", "7d9f0a1b2c3d4e5f6a7b"),
        ("X-Auth-Token: 4c1e9f7a2b8d3e6f0a5c", "4c1e9f7a2b8d3e6f0a5c"),
        ("Cookie: JSESSIONID=A1B2C3D4E5F60718293A4B5C6D7E8F90; theme=dark", "A1B2C3D4E5F60718293A4B5C6D7E8F90"),
        ("Cookie: lang=en; sessionid=x8k2m9q4w7e1r5t3", "x8k2m9q4w7e1r5t3"),
        ("Set-Cookie: session=eW91ci1zZXNzaW9uLWlk; Path=/; HttpOnly", "eW91ci1zZXNzaW9uLWlk"),
        ("Cookie: PHPSESSID=9a8b7c6d5e4f3a2b1c0d", "9a8b7c6d5e4f3a2b1c0d"),
        ("Cookie: connect.sid=s%3AaBcD1234efGH5678.ijKL90mnOP", "s%3AaBcD1234efGH5678.ijKL90mnOP"),
        ("Cookie: _session_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    ]);
}

#[test]
fn token_families() {
    masked(&[
        ("key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234"),
        ("token glpat-xxxxxxxxxxxxxxxxxxxx1 ok", "glpat-xxxxxxxxxxxxxxxxxxxx1"),
        ("twilio SK0123456789abcdef0123456789abcdef", "SK0123456789abcdef0123456789abcdef"),
        ("mailgun key-3ax6xnjp29jd6fds4gc373sgvjxteol0", "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"),
        ("mailchimp 0123456789abcdef0123456789abcdef-us12", "0123456789abcdef0123456789abcdef-us12"),
        ("do dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("bt access_token$production$abcd1234efgh5678$0123456789abcdef0123456789abcdef", "access_token$production$abcd1234efgh5678$0123456789abcdef0123456789abcdef"),
        ("linear lin_api_0123456789abcdefghij0123456789ABCDEFGHIJ", "lin_api_0123456789abcdefghij0123456789ABCDEFGHIJ"),
        ("postman PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01", "PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01"),
        ("databricks dapi0123456789abcdef0123456789abcdef", "dapi0123456789abcdef0123456789abcdef"),
        ("doppler dp.pt.abcdefghij0123456789ABCDEFGHIJ0123456789abc", "dp.pt.abcdefghij0123456789ABCDEFGHIJ0123456789abc"),
        ("vault hvs.CAESIJ0123456789abcdefghijklmnopqrstuvwxyz", "hvs.CAESIJ0123456789abcdefghijklmnopqrstuvwxyz"),
        ("grafana glsa_0123456789abcdefghijABCDEFGHIJ01_0a1b2c3d", "glsa_0123456789abcdefghijABCDEFGHIJ01_0a1b2c3d"),
        ("google ya29.a0AfH6SMBx0123456789abcdefghij", "ya29.a0AfH6SMBx0123456789abcdefghij"),
        ("google GOCSPX-0123456789abcdefghijABCDEFGH", "GOCSPX-0123456789abcdefghijABCDEFGH"),
        ("refresh 1//0gdEf0123456789abcdefghijABCDEFGHIJ0123456789", "1//0gdEf0123456789abcdefghijABCDEFGHIJ0123456789"),
        ("age AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"),
        ("azure client secret abc1Q~0123456789abcdefghijABCDEFGHIJ_ ok", "abc1Q~0123456789abcdefghijABCDEFGHIJ_"),
        ("bot 1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 ready", "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
        ("{\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n\"}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
        ("sentry dsn https://0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io/4504", "0123456789abcdef0123456789abcdef"),
    ]);
}

#[test]
fn ordinary_lines_stay() {
    unchanged(&[
        "Failed password for invalid user admin from 10.0.0.5 port 22 ssh2",
        "session opened for user root by (uid=0)",
        "pam_unix(sshd:session): session closed for user bob",
        "token_type=bearer expires_in=3600",
        "password_length=12 policy=strict",
        "GET /static/app.js HTTP/1.1 200 key=value",
        "cache key=user:1234 hit",
        "the task is done; ask again later",
        "Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)",
        "Linux version 2.6.5-1.358 (gcc version 3.3.3)",
        "2026-11-20 10:00:00 INFO peers: 10.0.0.1 10.0.0.2 10.0.0.3",
    ]);
}

#[test]
fn personal_data() {
    masked(&[
        ("tel +44 20 7946 0958 ok", "20 7946 0958"),
        ("call +1-415-555-0132", "415-555-0132"),
        ("call 0044 20 7946 0958", "7946 0958"),
        ("mobile 138 1234 5678", "138 1234 5678"),
        ("mobile=138-1234-5678&x=1", "138-1234-5678"),
        ("tel +86 138 1234 5678", "138 1234 5678"),
        ("office 0755-26076812", "0755-26076812"),
        ("Kunde Tel.: 0151 2345 6789", "0151 2345 6789"),
        ("phone: 020 7946 0958", "020 7946 0958"),
        ("tel 06 12 34 56 78", "06 12 34 56 78"),
        ("call 1-800-555-0199 now", "1-800-555-0199"),
        ("call +1 (415) 555-0132", "555-0132"),
        ("ph 415 555 0132", "415 555 0132"),
        ("ssn=123-45-6789", "123-45-6789"),
        ("SSN 123456789 invalid", "123456789"),
        ("id 11010519491231002X", "11010519491231002X"),
        ("idCard=110105491231002 legacy", "110105491231002"),
        ("card 4111.1111.1111.1111 ok", "4111.1111.1111.1111"),
        (
            "iban=DE89 3704 0044 0532 0130 00",
            "DE89 3704 0044 0532 0130 00",
        ),
        ("iban GB82WEST12345698765432.", "GB82WEST12345698765432"),
        ("to \"john doe\"@example.com", "john doe"),
        (
            "mail bob.smith+x@mail.example.co.uk",
            "bob.smith+x@mail.example.co.uk",
        ),
    ]);
    unchanged(&[
        "ssn=000-12-3456 666-12-3456 900-12-3456",
        "date 2024-12-07 id 123-45-67890",
        "on 05 17 2015 12:30",
        "version 1.2.3.4 build 2024.12.07",
        "took 123456789 ns",
        "GB82WEST12345698765433",
    ]);
}

#[test]
fn phone_notations() {
    masked(&[
        ("  phone_number: \"415.555.0132\"", "415.555.0132"),
        ("{\"tel\": \"06.71.37.61.41\"}", "06.71.37.61.41"),
        ("phone=4155550132", "4155550132"),
        ("delivery contact 030 27068753 (evenings)", "030 27068753"),
    ]);
    unchanged(&[
        "v1.2.3 10.0.0.1 2024.12.07 01.02",
        "took 4155550132 ns",
        "id=4155550132",
    ]);
}

#[test]
fn password_word_then_a_generated_value() {
    masked(&[
        (
            "machine api.example.com login deploy password 5f0c9e1a-77d2-4c1b-9a0e-2b9d5c3e8f10",
            "5f0c9e1a-77d2-4c1b-9a0e-2b9d5c3e8f10",
        ),
        (
            "smtp auth failed: user ops, password amber-wolf-river42",
            "amber-wolf-river42",
        ),
    ]);
    unchanged(&[
        "password reset requested for user 1234",
        "password changed 3 times since 2024-01-15",
        "the password policy v2 requires 12 characters",
    ]);
}
