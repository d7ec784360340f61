#!/usr/bin/env python3
"""Generates tests/secrets-eval/positives.tsv, the labelled positives of `cargo xtask eval-secrets`.

Run from anywhere: `python3 tests/secrets-eval/gen_corpus.py` (deterministic: fixed seed; the output is committed,
so the corpus does not change unless this script does).

Every value is fake: random characters in the issuer's documented shape (prefix, alphabet, length), with a valid
checksum where the format has one (Luhn for cards, ISO 13616 mod-97 for IBANs, ISO 7064 MOD 11-2 for 18-digit
Chinese ids). The lines are shaped like the places secrets really end up in logs: JVM flags, property dumps, env
dumps, docker inspect, Kubernetes Secrets, access logs, curl -v, HTTP dumps, driver errors, CI logs, JSON lines with
escaped JSON inside, XML configs, .NET connection strings, shell history.

Columns (tab-separated): family, values, line.
- values: the texts that must not survive redaction, separated by U+241F (␟); each one appears in the line.
- line: the log text; U+2424 (␤) separates physical lines of an entry that spans several lines (a PEM block),
  U+2409 (␉) stands for a tab. Nothing else is escaped: backslashes are literal.
"""

import base64
import hashlib
import json
import os
import random
import string
import urllib.parse
import uuid

R = random.Random(20261207)

VSEP = "\u241f"
NL = "\u2424"
TAB = "\u2409"

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = string.ascii_letters + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rs(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def b64(n):
    return base64.b64encode(rbytes(n)).decode()


def b64url_nopad(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def ruuid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def pick(*xs):
    return R.choice(xs)


# ---------------------------------------------------------------------------------------------------------------
# Context: hosts, users, timestamps, log prefixes.

FIRST = ["john", "maria", "wei", "li", "aisha", "pierre", "olga", "kenji", "fatima", "lucas", "emma", "raj", "chen",
         "sofia", "tom", "anna", "diego", "yuki", "noah", "leila"]
LAST = ["smith", "garcia", "zhang", "wang", "khan", "dubois", "ivanova", "tanaka", "haddad", "silva", "mueller",
        "patel", "liu", "rossi", "brown", "novak", "lopez", "sato", "cohen", "nguyen"]
SERVICES = ["orders", "billing", "auth", "gateway", "payments", "catalog", "search", "notify", "inventory", "users",
            "reports", "checkout"]
DOMAINS = ["example.com", "acme-corp.io", "shop.example.org", "corp.internal", "mail.example.net", "contoso.com",
           "globex.co.uk", "initech.de", "example.cn", "umbrella.fr"]


def host():
    return pick(f"db-{R.randint(1, 9)}.{pick('prod', 'staging', 'eu1')}.internal",
                f"{pick(*SERVICES)}-{R.randint(1, 20)}.svc.cluster.local", f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}",
                f"{pick('pg', 'mysql', 'mongo', 'redis', 'mq')}.{pick(*DOMAINS)}", "localhost", "127.0.0.1",
                f"ip-10-0-{R.randint(0, 255)}-{R.randint(1, 254)}.ec2.internal")


def ip():
    return f"{R.randint(11, 223)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def user():
    return pick(f"{pick(*FIRST)}", f"{pick(*FIRST)}.{pick(*LAST)}", "admin", "root", "app", "svc_" + pick(*SERVICES),
                "deploy", "postgres", "ci-bot", f"{pick(*FIRST)}{R.randint(1, 99)}")


def ts_iso():
    return f"2024-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z"


def ts_log4j():
    return f"2024-{R.randint(1, 12):02d}-{R.randint(1, 28):02d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d},{R.randint(0, 999):03d}"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def ts_syslog():
    return f"{pick(*MONTHS)} {R.randint(1, 28):2d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}"


def ts_clf():
    return f"{R.randint(1, 28):02d}/{pick(*MONTHS)}/2024:{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} +0000"


def prefix():
    """A log line prefix in one of the common layouts."""
    svc = pick(*SERVICES)
    return pick(
        f"{ts_log4j()} INFO  [main] c.a.{svc}.Config - ",
        f"{ts_log4j()} DEBUG [http-nio-8080-exec-{R.randint(1, 10)}] o.a.{svc}.Client - ",
        f"{ts_syslog()} {svc}-{R.randint(1, 9)} {svc}[{R.randint(100, 32000)}]: ",
        f"{ts_iso()} {pick('INFO', 'WARN', 'ERROR', 'DEBUG')} {svc} ",
        f"[{ts_iso()}] {pick('info', 'warn', 'error', 'debug')}: ",
        f"{ts_iso()} stdout F ",
        f"I{R.randint(1, 12):02d}{R.randint(1, 28):02d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999999):06d}    {R.randint(1, 99)} {svc}.go:{R.randint(10, 900)}] ",
        f"time=\"{ts_iso()}\" level={pick('info', 'debug', 'warning')} msg=",
        "",
    )


def password():
    """A password as people and generators make them."""
    kind = R.randint(0, 5)
    if kind == 0:
        return rs(ALNUM, R.randint(12, 20))
    if kind == 1:
        w = pick("Summer", "Winter", "Dragon", "Monkey", "Sunshine", "Shadow", "Falcon", "Tiger", "Phoenix", "Rocket")
        return f"{w}{R.randint(1970, 2025)}{pick('!', '#', '$', '@', '*', '')}{rs(UPPER, 2)}"
    if kind == 2:
        return rs(ALNUM + "!#$%^*-_+=.", R.randint(14, 24))
    if kind == 3:
        return "-".join(pick("correct", "horse", "battery", "staple", "orbit", "maple", "quartz", "violet", "ember",
                             "canyon", "lumen", "otter", "zephyr", "cobalt") for _ in range(4)) + str(R.randint(1, 99))
    if kind == 4:
        return rs(LOWER, 4) + rs(DIGITS, 3) + rs(UPPER, 3) + pick("!", "?", "&", "%") + rs(ALNUM, 3)
    return b64(R.randint(12, 24)).rstrip("=")


def password_simple():
    """A password without characters that need quoting in a shell, URL or XML."""
    p = password()
    return "".join(c if c.isalnum() or c in "-_." else pick("x", "7", "Q") for c in p)


# ---------------------------------------------------------------------------------------------------------------
# Checksummed personal data.


def luhn_complete(partial):
    digits = [int(c) for c in partial]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


def luhn_ok(num):
    digits = [int(c) for c in num]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_number():
    brand = R.randint(0, 6)
    if brand == 0:
        prefix_, n = "4", 16
    elif brand == 1:
        prefix_, n = str(R.randint(51, 55)), 16
    elif brand == 2:
        prefix_, n = str(R.randint(2221, 2720)), 16
    elif brand == 3:
        prefix_, n = pick("34", "37"), 15
    elif brand == 4:
        prefix_, n = "6011", 16
    elif brand == 5:
        prefix_, n = str(R.randint(3528, 3589)), 16
    else:
        prefix_, n = "62", pick(16, 19)
    num = luhn_complete(prefix_ + rs(DIGITS, n - len(prefix_) - 1))
    assert luhn_ok(num)
    return num


def group_card(num, sep):
    if len(num) == 15:
        parts = [num[:4], num[4:10], num[10:]]
    else:
        parts = [num[i:i + 4] for i in range(0, len(num), 4)]
    return sep.join(parts)


IBAN_BBAN = {
    "DE": lambda: rs(DIGITS, 18),
    "GB": lambda: rs(UPPER, 4) + rs(DIGITS, 14),
    "FR": lambda: rs(DIGITS, 23),
    "NL": lambda: rs(UPPER, 4) + rs(DIGITS, 10),
    "ES": lambda: rs(DIGITS, 20),
    "IT": lambda: rs(UPPER, 1) + rs(DIGITS, 10) + rs(DIGITS + UPPER, 12),
    "CH": lambda: rs(DIGITS, 5) + rs(DIGITS, 12),
    "BE": lambda: rs(DIGITS, 12),
    "PL": lambda: rs(DIGITS, 24),
    "AT": lambda: rs(DIGITS, 16),
    "SE": lambda: rs(DIGITS, 20),
    "IE": lambda: rs(UPPER, 4) + rs(DIGITS, 14),
}


def iban_mod97(s):
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97


def iban(country=None):
    country = country or pick(*IBAN_BBAN)
    bban = IBAN_BBAN[country]()
    check = 98 - iban_mod97(country + "00" + bban)
    out = f"{country}{check:02d}{bban}"
    assert iban_mod97(out) == 1
    return out


def iban_grouped(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


CN_AREAS = ["110101", "110105", "310104", "310115", "440305", "440106", "330106", "510107", "320102", "420106",
            "370202", "500103", "610113", "210102", "350203", "430104"]
CN_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def cn_id18():
    y, m, d = R.randint(1950, 2005), R.randint(1, 12), R.randint(1, 28)
    body = f"{pick(*CN_AREAS)}{y:04d}{m:02d}{d:02d}{R.randint(0, 999):03d}"
    s = sum(int(c) * w for c, w in zip(body, CN_W)) % 11
    return body + "10X98765432"[s]


def cn_id15():
    y, m, d = R.randint(40, 99), R.randint(1, 12), R.randint(1, 28)
    return f"{pick(*CN_AREAS)}{y:02d}{m:02d}{d:02d}{R.randint(0, 999):03d}"


def ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    return f"{a:03d}-{R.randint(1, 99):02d}-{R.randint(1, 9999):04d}"


def email():
    local = pick(f"{pick(*FIRST)}.{pick(*LAST)}", f"{pick(*FIRST)}{R.randint(1, 999)}",
                 f"{pick(*FIRST)}_{pick(*LAST)}", f"{pick(*FIRST)[0]}{pick(*LAST)}", f"{pick(*FIRST)}+{pick('news', 'shop', 'test', 'work')}",
                 f"{pick(*LAST)}.{pick(*FIRST)}{R.randint(70, 99)}")
    dom = pick("gmail.com", "yahoo.co.jp", "outlook.com", "qq.com", "163.com", "web.de", "orange.fr", "proton.me",
               "company.example.com", "mail.ru", "hotmail.co.uk", "icloud.com", "acme-corp.io", "uni-hamburg.de")
    return f"{local}@{dom}"


# ---------------------------------------------------------------------------------------------------------------
# Token shapes (documented prefixes and alphabets).


def aws_key_id():
    return pick("AKIA", "AKIA", "AKIA", "ASIA") + rs(UPPER + "234567", 16)


def aws_secret():
    return rs(ALNUM + "/+", 40)


def gcp_api_key():
    return "AIza" + rs(ALNUM + "-_", 35)


def github_token():
    k = R.randint(0, 5)
    if k == 5:
        return "github_pat_11" + rs(UPPER + DIGITS, 20) + "_" + rs(ALNUM, 59)
    return pick("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "ghp_")[:4] + rs(ALNUM, 36)


def gitlab_token():
    return pick("glpat-" + rs(ALNUM + "-_", 20), "glpat-" + rs(ALNUM + "-_", 20), "gldt-" + rs(ALNUM + "-_", 20),
                "glrt-" + rs(ALNUM + "-_", 20), "GR1348941" + rs(ALNUM + "-_", 20), "glptt-" + rs(HEX, 40),
                "glcbt-" + rs(ALNUM + "-_", 20))


def slack_token():
    return pick(f"xoxb-{rs(DIGITS, 12)}-{rs(DIGITS, 13)}-{rs(ALNUM, 24)}",
                f"xoxp-{rs(DIGITS, 12)}-{rs(DIGITS, 12)}-{rs(DIGITS, 13)}-{rs(HEX, 32)}",
                f"xapp-1-A{rs(UPPER + DIGITS, 10)}-{rs(DIGITS, 13)}-{rs(HEX, 64)}",
                f"xoxe.xoxp-1-{rs(ALNUM, 140)}", f"xoxa-2-{rs(DIGITS, 12)}-{rs(DIGITS, 12)}-{rs(HEX, 32)}")


def stripe_key():
    return pick("sk_live_", "sk_live_", "rk_live_", "sk_test_", "rk_test_") + rs(ALNUM, pick(24, 99))


def azure_storage_key():
    return base64.b64encode(rbytes(64)).decode()


def azure_client_secret():
    return rs(ALNUM, 3) + "8Q~" + rs(ALNUM + "_.~-", 34)


def jwt(alg=None):
    alg = alg or pick("HS256", "RS256", "ES256", "HS512")
    header = {"alg": alg, "typ": "JWT"}
    if alg.startswith("RS") or alg.startswith("ES"):
        header["kid"] = rs(HEX, 16)
    iat = R.randint(1700000000, 1730000000)
    payload = pick(
        {"sub": str(R.randint(1000, 99999)), "name": f"{pick(*FIRST).title()} {pick(*LAST).title()}", "iat": iat},
        {"iss": f"https://auth.{pick(*DOMAINS)}/", "sub": ruuid(), "aud": pick(*SERVICES), "exp": iat + 3600, "iat": iat,
         "scope": "openid profile email"},
        {"user_id": R.randint(1, 10 ** 6), "role": pick("admin", "user", "viewer"), "exp": iat + 900},
        {"iss": "https://sts.windows.net/" + ruuid() + "/", "oid": ruuid(), "tid": ruuid(), "exp": iat + 3600},
    )
    sig_len = {"HS256": 32, "HS512": 64, "RS256": 256, "ES256": 64}[alg]
    return ".".join([b64url_nopad(json.dumps(header, separators=(",", ":")).encode()),
                     b64url_nopad(json.dumps(payload, separators=(",", ":")).encode()),
                     b64url_nopad(rbytes(sig_len))])


def pem_body(nbytes):
    """Base64 lines of 64 characters (whole lines only: a short last line would be a label of a few characters)."""
    b = base64.b64encode(rbytes(nbytes // 48 * 48)).decode()
    return [b[i:i + 64] for i in range(0, len(b), 64)]


# ---------------------------------------------------------------------------------------------------------------
# The corpus.

ROWS = []


def add(family, values, line):
    if isinstance(values, str):
        values = [values]
    for v in values:
        assert v, (family, line)
        phys = line.split(NL)
        assert any(v in p for p in phys), (family, v, line)
        assert "\t" not in line and "\n" not in line and VSEP not in v
    ROWS.append((family, VSEP.join(values), line))


def family(name, n, templates):
    """`n` lines of family `name`: the templates in turn (each a function returning (values, line)), then random
    ones, so every template is used at least once when n >= len(templates)."""
    for i in range(n):
        t = templates[i] if i < len(templates) else R.choice(templates)
        values, line = t()
        add(name, values, line)


def t(fn):
    return fn


# --- cloud keys -------------------------------------------------------------------------------------------------


def aws_access_key_lines():
    def a():
        k = aws_key_id()
        return k, f"{prefix()}Using AWS credentials accessKeyId={k} region={pick('us-east-1', 'eu-west-1', 'ap-southeast-2')}"

    def b():
        k = aws_key_id()
        return k, f"export AWS_ACCESS_KEY_ID={k}"

    def c():
        k = aws_key_id()
        return k, json.dumps({"Credentials": {"AccessKeyId": k, "Expiration": ts_iso()}})

    def d():
        k = aws_key_id()
        return k, f"{prefix()}botocore.auth: Calculating signature using v4 auth. CanonicalRequest credential {k}/20240314/us-east-1/s3/aws4_request"

    def e():
        k = aws_key_id()
        return k, f"aws_access_key_id = {k}"

    def f():
        k = aws_key_id()
        return k, f"{ip()} - - [{ts_clf()}] \"GET /bucket/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={k}%2F20240314%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240314T101500Z HTTP/1.1\" 200 5123"

    def g():
        k = aws_key_id()
        return k, f"{prefix()}An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key Id you provided does not exist in our records. key={k}"

    def h():
        k = aws_key_id()
        return k, f"    \"AWS_ACCESS_KEY_ID={k}\","

    def i():
        k = aws_key_id()
        return k, f"ENV AWS_ACCESS_KEY_ID {k}"

    def j():
        k = aws_key_id()
        return k, f"{prefix()}s3 client created: {{accessKey: '{k}', bucket: 'backups-{rs(LOWER, 5)}'}}"

    def k_():
        k = "AKIAIOSFODNN7EXAMPLE"
        return k, f"{prefix()}aws configure set aws_access_key_id {k}"

    def l_():
        k = aws_key_id()
        return k, f"{ts_iso()} [ci] Step 4/9 : RUN aws s3 cp s3://artifacts/build.tgz . # creds {k}"

    family("aws-access-key", 14, [a, b, c, d, e, f, g, h, i, j, k_, l_])


def aws_secret_lines():
    def a():
        s = aws_secret()
        return s, f"export AWS_SECRET_ACCESS_KEY={s}"

    def b():
        k, s = aws_key_id(), aws_secret()
        return [k, s], f"aws_access_key_id={k} aws_secret_access_key={s}"

    def c():
        k, s = aws_key_id(), aws_secret()
        return [k, s], json.dumps({"Credentials": {"AccessKeyId": k, "SecretAccessKey": s, "SessionToken": None, "Expiration": ts_iso()}})

    def d():
        s = aws_secret()
        return s, f"aws_secret_access_key = {s}"

    def e():
        s = aws_secret()
        return s, f"{prefix()}Loaded config: {{\"s3\":{{\"region\":\"eu-central-1\",\"secretKey\":\"{s}\"}}}}"

    def f():
        s = aws_secret()
        return s, f"-Daws.secretKey={s}"

    def g():
        s = aws_secret()
        return s, f"{prefix()}AWS_SECRET_ACCESS_KEY: {s}"

    def h():
        s = aws_secret()
        return s, f"cloud.aws.credentials.secret-key={s}"

    def i():
        s = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        return s, f"{prefix()}secret_access_key: {s}"

    def j():
        s = aws_secret()
        return s, f"      - name: AWS_SECRET_ACCESS_KEY{NL}        value: \"{s}\""

    def k():
        s = aws_secret()
        return s, f"{prefix()}minio client: endpoint=http://minio:9000 accessKey=minioadmin secretKey={s}"

    def l_():
        s = aws_secret()
        return ["AKIAIOSFODNN7EXAMPLE", s], f"docker run -e AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE -e AWS_SECRET_ACCESS_KEY='{s}' amazon/aws-cli s3 ls"

    family("aws-secret-key", 14, [a, b, c, d, e, f, g, h, i, j, k, l_])


def gcp_lines():
    def a():
        k = gcp_api_key()
        return k, f"{ip()} - - [{ts_clf()}] \"GET /maps/api/geocode/json?address=Berlin&key={k} HTTP/1.1\" 200 1324 \"-\" \"okhttp/4.9.3\""

    def b():
        k = gcp_api_key()
        return k, f"{prefix()}Firebase initialized with apiKey: \"{k}\", projectId: \"app-{rs(LOWER, 6)}\""

    def c():
        k = gcp_api_key()
        return k, f"GOOGLE_API_KEY={k}"

    def d():
        k = gcp_api_key()
        return k, f"{prefix()}POST https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key={k} -> 429"

    def e():
        k = gcp_api_key()
        return k, f"{prefix()}request headers: x-goog-api-key={k} content-type=application/json"

    def f():
        k = gcp_api_key()
        return k, json.dumps({"level": "error", "msg": "youtube quota exceeded", "api_key": k})

    family("gcp-api-key", 12, [a, b, c, d, e, f])

    def sa_json():
        """A service-account key file: the private key (escaped newlines) is what must not leak."""
        body = pem_body(R.randint(120, 200))
        pk = "-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(body) + "\\n-----END PRIVATE KEY-----\\n"
        proj = f"{pick(*SERVICES)}-{rs(DIGITS, 6)}"
        d = {"type": "service_account", "project_id": proj, "private_key_id": rs(HEX, 40), "private_key": "PK",
             "client_email": f"ci@{proj}.iam.gserviceaccount.com", "client_id": rs(DIGITS, 21)}
        return body, json.dumps(d).replace('"PK"', '"' + pk + '"')

    def sa():
        body, line = sa_json()
        return body, pick(line, f"{prefix()}GOOGLE_CREDENTIALS={line}", f"{prefix()}loaded credentials {line}")

    def sa_b64():
        _, line = sa_json()
        blob = base64.b64encode(line.encode()).decode()
        return blob, pick(f"GCP_SA_KEY={blob}", f"  credentials.json: {blob}", f"{prefix()}echo {blob} | base64 -d > /tmp/sa.json")

    def sa_tf():
        body, line = sa_json()
        return body, f"  credentials = {json.dumps(line)}"

    family("gcp-service-account-key", 12, [sa, sa_b64, sa_tf, sa, sa_b64, sa_tf])


def azure_lines():
    def conn():
        k, acct = azure_storage_key(), "st" + rs(LOWER + DIGITS, 10)
        return k, f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={k};EndpointSuffix=core.windows.net"

    def conn_log():
        k, acct = azure_storage_key(), "st" + rs(LOWER + DIGITS, 10)
        return k, f"{prefix()}Connecting to blob storage with connection string \"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={k};EndpointSuffix=core.windows.net\""

    def env():
        k = azure_storage_key()
        return k, f"AZURE_STORAGE_KEY={k}"

    def cli():
        k = azure_storage_key()
        return k, f"$ az storage blob upload --account-name st{rs(LOWER, 8)} --account-key {k} -c logs -f app.log"

    def json_():
        k = azure_storage_key()
        return k, json.dumps({"keyName": "key1", "permissions": "FULL", "value": k})

    def tf():
        k = azure_storage_key()
        return k, f"  primary_access_key = \"{k}\""

    family("azure-storage-key", 12, [conn, conn_log, env, cli, json_, tf])

    def sas_sig():
        return urllib.parse.quote(base64.b64encode(rbytes(32)).decode(), safe="")

    def sas_a():
        s = sas_sig()
        return s, f"{ip()} - - [{ts_clf()}] \"PUT /uploads/{ruuid()}.png?sv=2022-11-02&ss=b&srt=o&sp=rwac&se=2024-12-31T23:59:59Z&st=2024-01-01T00:00:00Z&spr=https&sig={s} HTTP/1.1\" 201 0"

    def sas_b():
        s = sas_sig()
        return s, f"{prefix()}Uploading to https://st{rs(LOWER, 8)}.blob.core.windows.net/backups/db.bak?sp=racwdl&st=2024-03-01T09:00:00Z&se=2024-03-02T09:00:00Z&spr=https&sv=2022-11-02&sr=c&sig={s}"

    def sas_c():
        s = sas_sig()
        return s, f"AZURE_STORAGE_SAS_TOKEN=?sv=2021-06-08&ss=bfqt&srt=sco&sp=rwdlacupitfx&se=2025-01-01T00:00:00Z&spr=https&sig={s}"

    def sas_d():
        s = sas_sig()
        return s, f"{prefix()}SharedAccessSignature=sv=2020-08-04&ss=b&srt=sco&sp=rl&se=2024-09-30&sig={s};BlobEndpoint=https://st{rs(LOWER, 6)}.blob.core.windows.net/"

    def sas_e():
        k = base64.b64encode(rbytes(32)).decode()
        sig = urllib.parse.quote(base64.b64encode(rbytes(32)).decode(), safe="")
        return [k, sig], f"{prefix()}Endpoint=sb://ns-{rs(LOWER, 6)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={k} token=SharedAccessSignature sr=amqp&sig={sig}&se=1712345678&skn=RootManageSharedAccessKey"

    family("azure-sas", 12, [sas_a, sas_b, sas_c, sas_d, sas_e])

    def cs_a():
        s = azure_client_secret()
        return s, f"AZURE_CLIENT_SECRET={s}"

    def cs_b():
        s = azure_client_secret()
        return s, f"{prefix()}POST https://login.microsoftonline.com/{ruuid()}/oauth2/v2.0/token body: client_id={ruuid()}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_secret={s}&grant_type=client_credentials"

    def cs_c():
        s = azure_client_secret()
        return s, json.dumps({"appId": ruuid(), "displayName": "ci-deployer", "password": s, "tenant": ruuid()})

    def cs_d():
        s = azure_client_secret()
        return s, f"  \"AzureAd\": {{ \"ClientId\": \"{ruuid()}\", \"ClientSecret\": \"{s}\" }}"

    def cs_e():
        s = azure_client_secret()
        return s, f"az login --service-principal -u {ruuid()} -p {s} --tenant {ruuid()}"

    def cs_f():
        s = azure_client_secret()
        return s, f"{prefix()}ARM_CLIENT_SECRET: {s}"

    family("azure-client-secret", 12, [cs_a, cs_b, cs_c, cs_d, cs_e, cs_f])


# --- code hosts, chat, SaaS -------------------------------------------------------------------------------------


def vcs_lines():
    def gh_a():
        tk = github_token()
        return tk, f"{prefix()}git clone https://x-access-token:{tk}@github.com/acme/{pick(*SERVICES)}.git"

    def gh_b():
        tk = github_token()
        return tk, f"GITHUB_TOKEN={tk}"

    def gh_c():
        tk = github_token()
        return tk, f"> Authorization: token {tk}"

    def gh_d():
        tk = github_token()
        return tk, f"{ts_iso()} ##[debug]Evaluating: secrets.GH_PAT = {tk}"

    def gh_e():
        tk = github_token()
        return tk, json.dumps({"token": tk, "expires_at": ts_iso(), "permissions": {"contents": "read"}})

    def gh_f():
        tk = github_token()
        return tk, f"{prefix()}gh auth login --with-token <<< {tk}"

    def gh_g():
        tk = github_token()
        return tk, f"//npm.pkg.github.com/:_authToken={tk}"

    def gh_h():
        tk = github_token()
        return tk, f"{prefix()}remote: Invalid username or password. fatal: Authentication failed for 'https://{tk}@github.com/acme/infra.git/'"

    family("github-token", 16, [gh_a, gh_b, gh_c, gh_d, gh_e, gh_f, gh_g, gh_h])

    def gl_a():
        tk = gitlab_token()
        return tk, f"{prefix()}curl --header \"PRIVATE-TOKEN: {tk}\" https://gitlab.{pick(*DOMAINS)}/api/v4/projects"

    def gl_b():
        tk = gitlab_token()
        return tk, f"CI_JOB_TOKEN={tk}"

    def gl_c():
        tk = gitlab_token()
        return tk, f"{prefix()}gitlab-runner register --url https://gitlab.com/ --registration-token {tk} --executor docker"

    def gl_d():
        tk = gitlab_token()
        return tk, f"Cloning into 'app'... https://gitlab-ci-token:{tk}@gitlab.{pick(*DOMAINS)}/group/app.git"

    def gl_e():
        tk = gitlab_token()
        return tk, json.dumps({"name": "deploy", "token": tk, "scopes": ["read_repository"]})

    def gl_f():
        tk = gitlab_token()
        return tk, f"  token = \"{tk}\""

    family("gitlab-token", 13, [gl_a, gl_b, gl_c, gl_d, gl_e, gl_f])

    def sl_a():
        tk = slack_token()
        return tk, f"SLACK_BOT_TOKEN={tk}"

    def sl_b():
        tk = slack_token()
        return tk, f"{prefix()}slack_sdk.web.base_client: Sending a request - url: https://www.slack.com/api/chat.postMessage, headers: {{'Authorization': '(redacted)'}} token={tk}"

    def sl_c():
        tk = slack_token()
        return tk, json.dumps({"ok": True, "access_token": tk, "token_type": "bot", "scope": "chat:write"})

    def sl_d():
        tk = slack_token()
        return tk, f"{prefix()}curl -H 'Authorization: Bearer {tk}' https://slack.com/api/auth.test"

    def sl_e():
        tk = slack_token()
        return tk, f"  slack_token: {tk}"

    family("slack-token", 12, [sl_a, sl_b, sl_c, sl_d, sl_e])

    def wh():
        return f"T{rs(UPPER + DIGITS, pick(8, 9, 10))}/B{rs(UPPER + DIGITS, pick(8, 10))}/{rs(ALNUM, 24)}"

    def wh_a():
        w = wh()
        return w, f"{prefix()}POST https://hooks.slack.com/services/{w} -> 200 ok"

    def wh_b():
        w = wh()
        return w, f"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/{w}"

    def wh_c():
        w = wh()
        return w, json.dumps({"alertmanager": {"receivers": [{"slack_configs": [{"api_url": f"https://hooks.slack.com/services/{w}"}]}]}})

    def wh_d():
        w = wh()
        return w, f"    api_url: 'https://hooks.slack.com/services/{w}'"

    def wh_e():
        w = f"{rs(ALNUM, 26)}"
        return w, f"{prefix()}notify: webhook https://hooks.slack.com/workflows/T{rs(UPPER + DIGITS, 9)}/A{rs(UPPER + DIGITS, 10)}/{rs(DIGITS, 18)}/{w} failed: 404"

    family("slack-webhook", 12, [wh_a, wh_b, wh_c, wh_d, wh_e])

    def st_a():
        k = stripe_key()
        return k, f"STRIPE_SECRET_KEY={k}"

    def st_b():
        k = stripe_key()
        return k, f"{prefix()}Stripe::AuthenticationError: Invalid API Key provided: {k}"

    def st_c():
        k = stripe_key()
        return k, f"{prefix()}curl https://api.stripe.com/v1/charges -u {k}: -d amount=2000 -d currency=usd"

    def st_d():
        k = "whsec_" + rs(ALNUM, 32)
        return k, f"STRIPE_WEBHOOK_SECRET={k}"

    def st_e():
        k = stripe_key()
        return k, json.dumps({"level": "debug", "msg": "stripe client", "config": {"apiKey": k, "maxNetworkRetries": 2}})

    def st_f():
        k = stripe_key()
        return k, f"  stripe.api_key = \"{k}\""

    family("stripe-key", 12, [st_a, st_b, st_c, st_d, st_e, st_f])

    def tw_a():
        t_ = rs(HEX, 32)
        return t_, f"TWILIO_AUTH_TOKEN={t_}"

    def tw_b():
        k, s = "SK" + rs(HEX, 32), rs(ALNUM, 32)
        return [k, s], f"{prefix()}twilio: api_key={k} api_secret={s}"

    def tw_c():
        t_ = rs(HEX, 32)
        sid = "AC" + rs(HEX, 32)
        return t_, f"{prefix()}curl -X POST https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json -u {sid}:{t_}"

    def tw_d():
        t_ = rs(HEX, 32)
        return t_, json.dumps({"twilio": {"accountSid": "AC" + rs(HEX, 32), "authToken": t_}})

    def tw_e():
        k = "SK" + rs(HEX, 32)
        return k, f"{prefix()}Twilio client created with API key {k}"

    family("twilio", 12, [tw_a, tw_b, tw_c, tw_d, tw_e])

    def sg():
        return "SG." + rs(ALNUM + "-_", 22) + "." + rs(ALNUM + "-_", 43)

    def sg_a():
        k = sg()
        return k, f"SENDGRID_API_KEY={k}"

    def sg_b():
        k = sg()
        return k, f"{prefix()}smtp: AUTH LOGIN apikey/{k} 535 Authentication failed"

    def sg_c():
        k = sg()
        return k, f"> Authorization: Bearer {k}"

    def sg_d():
        k = sg()
        return k, json.dumps({"mail": {"provider": "sendgrid", "key": k}})

    def sg_e():
        k = sg()
        return k, f"spring.sendgrid.api-key={k}"

    family("sendgrid", 12, [sg_a, sg_b, sg_c, sg_d, sg_e])

    def mg():
        return pick("key-" + rs(HEX, 32), rs(HEX, 32) + "-" + rs(HEX, 8) + "-" + rs(HEX, 8))

    def mg_a():
        k = mg()
        return k, f"MAILGUN_API_KEY={k}"

    def mg_b():
        k = mg()
        return k, f"{prefix()}curl -s --user 'api:{k}' https://api.mailgun.net/v3/mg.{pick(*DOMAINS)}/messages"

    def mg_c():
        k = mg()
        return k, json.dumps({"mailgun": {"domain": "mg." + pick(*DOMAINS), "apiKey": k}})

    def mg_d():
        k = mg()
        return k, f"{prefix()}mailgun.Client(api_key='{k}') created"

    def mg_e():
        k = rs(HEX, 32)
        return k, f"MAILGUN_WEBHOOK_SIGNING_KEY={k}"

    family("mailgun", 12, [mg_a, mg_b, mg_c, mg_d, mg_e])


def registry_lines():
    def npm():
        return "npm_" + rs(ALNUM, 36)

    def n_a():
        k = npm()
        return k, f"//registry.npmjs.org/:_authToken={k}"

    def n_b():
        k = npm()
        return k, f"NPM_TOKEN={k}"

    def n_c():
        k = ruuid()
        return k, f"//registry.npmjs.org/:_authToken={k}"

    def n_d():
        k = npm()
        return k, f"{ts_iso()} npm verb getauth token {k} for https://registry.npmjs.org/"

    def n_e():
        k = npm()
        return k, f"{prefix()}echo \"//registry.npmjs.org/:_authToken=${{NPM_TOKEN}}\" > .npmrc  # NPM_TOKEN={k}"

    def n_f():
        k = npm()
        return k, f"  npmAuthToken: \"{k}\""

    family("npm-token", 12, [n_a, n_b, n_c, n_d, n_e, n_f])

    def pypi():
        return "pypi-AgEIcHlwaS5vcmc" + rs(B64URL, R.randint(120, 160))

    def p_a():
        k = pypi()
        return k, f"TWINE_PASSWORD={k}"

    def p_b():
        k = pypi()
        return k, f"password = {k}"

    def p_c():
        k = pypi()
        return k, f"{prefix()}twine upload dist/* -u __token__ -p {k}"

    def p_d():
        k = pypi()
        return k, f"  UV_PUBLISH_TOKEN: {k}"

    def p_e():
        k = pypi()
        return k, f"poetry config pypi-token.pypi {k}"

    family("pypi-token", 12, [p_a, p_b, p_c, p_d, p_e])

    def dk():
        return "dckr_pat_" + rs(ALNUM + "-_", 27)

    def d_a():
        k = dk()
        return k, f"{prefix()}echo {k} | docker login -u acmeci --password-stdin"

    def d_b():
        k = dk()
        return k, f"DOCKERHUB_TOKEN={k}"

    def d_c():
        u, p = user(), password_simple()
        a = base64.b64encode(f"{u}:{p}".encode()).decode()
        return a, json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": a}}})

    def d_d():
        u, p = user(), password_simple()
        a = base64.b64encode(f"{u}:{p}".encode()).decode()
        blob = base64.b64encode(json.dumps({"auths": {"registry.example.com": {"auth": a}}}).encode()).decode()
        return blob, f"  .dockerconfigjson: {blob}"

    def d_e():
        k = dk()
        return k, f"docker login -u acme -p {k} docker.io"

    def d_f():
        k = dk()
        return k, json.dumps({"msg": "registry credentials", "registry": "docker.io", "username": "acme", "token": k})

    family("docker-hub", 12, [d_a, d_b, d_c, d_d, d_e, d_f])

    def hk():
        return pick("HRKU-AA" + rs(ALNUM + "-_", 58), ruuid())

    def h_a():
        k = hk()
        return k, f"HEROKU_API_KEY={k}"

    def h_b():
        k = hk()
        return k, f"{prefix()}machine api.heroku.com login ci@{pick(*DOMAINS)} password {k}"

    def h_c():
        k = hk()
        return k, f"> Authorization: Bearer {k}"

    def h_d():
        k = "HRKU-AA" + rs(ALNUM + "-_", 58)
        return k, f"{prefix()}heroku auth:token => {k}"

    family("heroku", 12, [h_a, h_b, h_c, h_d])

    def do():
        return pick("dop_v1_", "doo_v1_", "dor_v1_") + rs(HEX, 64)

    def do_a():
        k = do()
        return k, f"DIGITALOCEAN_ACCESS_TOKEN={k}"

    def do_b():
        k = do()
        return k, f"{prefix()}doctl auth init --access-token {k}"

    def do_c():
        k = do()
        return k, f"> Authorization: Bearer {k}"

    def do_d():
        k = do()
        return k, json.dumps({"provider": "digitalocean", "token": k})

    def do_e():
        k, s = rs(UPPER + DIGITS, 20), rs(ALNUM + "/+", 43)
        return s, f"SPACES_ACCESS_KEY_ID={k} SPACES_SECRET_ACCESS_KEY={s}"

    family("digitalocean", 12, [do_a, do_b, do_c, do_d, do_e])


def ai_lines():
    def oa():
        return pick("sk-proj-" + rs(ALNUM + "-_", 156), "sk-" + rs(ALNUM, 20) + "T3BlbkFJ" + rs(ALNUM, 20),
                    "sk-svcacct-" + rs(ALNUM + "-_", 156), "sk-proj-" + rs(ALNUM + "-_", 48) + "T3BlbkFJ" + rs(ALNUM + "-_", 48))

    def o_a():
        k = oa()
        return k, f"OPENAI_API_KEY={k}"

    def o_b():
        k = oa()
        return k, f"{prefix()}openai.AuthenticationError: Error code: 401 - {{'error': {{'message': 'Incorrect API key provided: {k}.'}}}}"

    def o_c():
        k = oa()
        return k, f"> Authorization: Bearer {k}"

    def o_d():
        k = oa()
        return k, json.dumps({"llm": {"provider": "openai", "model": "gpt-4o", "api_key": k}})

    def o_e():
        k = oa()
        return k, f"{prefix()}client = OpenAI(api_key=\"{k}\")"

    family("openai-key", 12, [o_a, o_b, o_c, o_d, o_e])

    def an():
        return pick("sk-ant-api03-", "sk-ant-api03-", "sk-ant-admin01-") + rs(ALNUM + "-_", 93) + "AA"

    def an_a():
        k = an()
        return k, f"ANTHROPIC_API_KEY={k}"

    def an_b():
        k = an()
        return k, f"{prefix()}POST https://api.anthropic.com/v1/messages headers={{'x-api-key': '{k}', 'anthropic-version': '2023-06-01'}}"

    def an_c():
        k = an()
        return k, f"x-api-key: {k}"

    def an_d():
        k = an()
        return k, json.dumps({"env": {"ANTHROPIC_API_KEY": k}})

    family("anthropic-key", 12, [an_a, an_b, an_c, an_d])

    def hf():
        return "hf_" + rs(ALNUM, 34)

    def hf_a():
        k = hf()
        return k, f"HF_TOKEN={k}"

    def hf_b():
        k = hf()
        return k, f"{prefix()}huggingface-cli login --token {k}"

    def hf_c():
        k = hf()
        return k, f"> Authorization: Bearer {k}"

    def hf_d():
        k = hf()
        return k, f"{prefix()}git clone https://user:{k}@huggingface.co/acme/private-model"

    def hf_e():
        k = hf()
        return k, json.dumps({"hub": {"token": k, "repo": "acme/llm"}})

    family("huggingface", 12, [hf_a, hf_b, hf_c, hf_d, hf_e])


def jwt_lines():
    def a():
        j = jwt()
        return j, f"> Authorization: Bearer {j}"

    def b():
        j = jwt()
        return j, f"{ip()} - - [{ts_clf()}] \"GET /api/v1/me?access_token={j} HTTP/1.1\" 200 512"

    def c():
        j = jwt()
        return j, json.dumps({"level": "warn", "msg": "token expired", "token": j})

    def d():
        j = jwt()
        return j, f"{prefix()}io.jsonwebtoken.ExpiredJwtException: JWT expired at 2024-03-14T10:00:00Z. Current time: 2024-03-14T10:05:12Z, a difference of 312000 milliseconds. token={j}"

    def e():
        j = jwt()
        return j, f"Cookie: id_token={j}; theme=dark"

    def f():
        j = jwt()
        return j, f"{prefix()}Validating token {j}"

    def g():
        j = jwt()
        return j, f"KUBE_TOKEN={j}"

    def h():
        j = jwt("RS256")
        return j, f"    token: {j}"

    def i():
        j = jwt()
        return j, f"{prefix()}redirect to https://app.{pick(*DOMAINS)}/callback#id_token={j}&state={rs(HEX, 16)}"

    family("jwt", 16, [a, b, c, d, e, f, g, h, i])


def private_key_lines():
    kinds = ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
             "DSA PRIVATE KEY"]

    def block():
        kind = pick(*kinds)
        body = pem_body(R.randint(100, 260))
        lines = [f"-----BEGIN {kind}-----"] + body + [f"-----END {kind}-----"]
        return kind, body, lines

    def multi():
        kind, body, lines = block()
        pre = pick("", f"{prefix()}Loaded TLS key from env:", "ssh_key: |", "    tls.key: |")
        indent = "    " if pre.endswith("|") else ""
        phys = ([pre] if pre else []) + [indent + l for l in lines]
        return body, NL.join(phys)

    def escaped_json():
        kind, body, lines = block()
        return body, json.dumps({"level": "debug", "msg": "config", "tls": {"key": "\n".join(lines) + "\n"}})

    def one_line():
        kind, body, lines = block()
        return body, f"SSH_PRIVATE_KEY={' '.join(lines)}"

    def escaped_env():
        kind, body, lines = block()
        return body, f"{prefix()}JWT_PRIVATE_KEY=\"" + "\\n".join(lines) + "\""

    def pgp():
        body = pem_body(R.randint(150, 260))
        lines = ["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", *body, "=" + rs(B64, 4), "-----END PGP PRIVATE KEY BLOCK-----"]
        return body, NL.join(lines)

    family("private-key", 14, [multi, escaped_json, one_line, escaped_env, pgp, multi, escaped_json, multi])


# --- passwords --------------------------------------------------------------------------------------------------

PW_KEYS = ["password", "passwd", "pwd", "pass", "PASSWORD", "Password", "db_password", "DB_PASSWORD", "dbPassword",
           "admin_password", "MYSQL_ROOT_PASSWORD", "POSTGRES_PASSWORD", "PGPASSWORD", "redis.password",
           "spring.datasource.password", "mail.smtp.password", "ldap_bind_password", "keystore.password",
           "RABBITMQ_DEFAULT_PASS", "user_pass", "passphrase", "smtp_pass", "jdbc.password", "root-password",
           "masterUserPassword", "REDIS_PASSWORD", "proxyPassword", "auth.pass", "X_PASSWD", "app.db.pass"]


def pw_key():
    """A password key in one of the spellings people use."""
    return pick("password", "Password", "PASSWORD", "passwd", "pwd", "pass", "passWord", "user_password",
                "userPassword", "db-password", "dbPass", "admin_pwd", "rootPassword", "loginPassword", "PassPhrase",
                "key_passphrase", "store-pass", "auth_pass", "PW", "pword", "mysql_pass", "password_hash_input",
                "PassWd", "sslPassword", "bind_pw")


def password_lines():
    def kv_a():
        p, k = password(), pick(*PW_KEYS)
        return p, f"{prefix()}{k}={p}"

    def kv_b():
        p = password()
        return p, f"{k_env()}={p}"

    def kv_p():
        p = password_simple()
        return p, f"{prefix()}{pw_key()}: {p}"

    def kv_c():
        p = password_simple()
        return p, f"{prefix()}Connecting to {host()} as user={user()} password={p} timeout=30s"

    def kv_d():
        p = password()
        return p, f"spring.datasource.password = {p}"

    def kv_e():
        p = password_simple()
        return p, f"{prefix()}ldap bind dn=cn={user()},dc=example,dc=com, bindPassword={p}"

    def kv_f():
        p = password_simple()
        return p, f"{prefix()}config: host={host()} port=5432 user={user()} pass={p} sslmode=require"

    def kv_g():
        p = password_simple()
        return p, f"[mysqld] user={user()} password=\"{p}\""

    def kv_h():
        p = password_simple()
        return p, f"{prefix()}PasswordAuthentication attempt: username={user()}, password='{p}'"

    def kv_i():
        p = password_simple()
        return p, f"declare -x MYSQL_PASSWORD=\"{p}\""

    def kv_j():
        p = password_simple()
        return p, f"{prefix()}Settings(database_url=None, db_user='{user()}', db_password='{p}', debug=False)"

    def kv_k():
        p = password_simple()
        return p, f"{prefix()}KafkaConfig values: sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{user()}\" password=\"{p}\";"

    def kv_l():
        p = password_simple()
        return p, f"{prefix()}ssl.keystore.password = {p}"

    def kv_m():
        p = password_simple()
        return p, f"{prefix()}User(name='{user()}', pwd='{p}')"

    def kv_n():
        p = password_simple()
        return p, f"{prefix()}wifi: ssid=Office-5G psk={p}"

    def kv_o():
        p = password_simple()
        return p, f"{prefix()}SMTP auth: user {user()}@{pick(*DOMAINS)}, password {p}"

    family("password-kv", 26, [kv_a, kv_b, kv_c, kv_d, kv_e, kv_f, kv_g, kv_h, kv_i, kv_j, kv_k, kv_l, kv_m, kv_n, kv_o, kv_p, kv_a, kv_b, kv_p])

    def js_a():
        p = password()
        return p, json.dumps({"username": user(), pw_key(): p})

    def js_b():
        p = password()
        return p, f"{prefix()}POST /api/login body={json.dumps({'email': email(), 'password': p, 'remember': True})}"

    def js_c():
        p = password()
        return p, json.dumps({"ts": ts_iso(), "level": "debug", "msg": "db config", "db": {"host": host(), "user": user(), "dbPassword": p}})

    def js_d():
        p = password()
        return p, f"{prefix()}{{ \"adminPassword\" : \"{p}\" }}"

    def js_e():
        p = password_simple()
        return p, json.dumps([{"Name": "POSTGRES_USER", "Value": "app"}, {"Name": "POSTGRES_PASSWORD", "Value": p}])

    def js_f():
        p = password_simple()
        return p, f"\"Env\": [\"PATH=/usr/local/sbin:/usr/local/bin\", \"MYSQL_ROOT_PASSWORD={p}\", \"MYSQL_DATABASE=app\"],"

    def js_g():
        p = password()
        return p, json.dumps({"Password": p, "UserName": user(), "RememberMe": False})

    def js_h():
        p = password()
        return p, f"{prefix()}request payload: {{'user': '{user()}', 'password': '{p}'}}"

    def js_i():
        p = password()
        return p, json.dumps({"event": "user.created", "data": {"login": user(), "initial_password": p}})

    def js_j():
        p = password()
        return p, json.dumps({"smtp": {"host": "smtp." + pick(*DOMAINS), "port": 587, "auth": {"user": user(), "pass": p}}})

    family("password-json", 18, [js_a, js_b, js_c, js_d, js_e, js_f, js_g, js_h, js_i, js_j])

    def jj_a():
        p = password()
        inner = json.dumps({"username": user(), "password": p})
        return json.dumps(p)[1:-1], json.dumps({"level": "info", "msg": "incoming request", "body": inner})

    def jj_b():
        p = password_simple()
        inner = f"{prefix()}connecting with password={p}\n"
        return p, json.dumps({"log": inner, "stream": "stdout", "time": ts_iso()})

    def jj_c():
        p = password()
        inner = json.dumps({"db": {"password": p}})
        return json.dumps(p)[1:-1], json.dumps({"Config": {"Labels": {"app.config": inner}}})

    def jj_d():
        p = password_simple()
        inner = json.dumps({"user": user(), "pwd": p})
        outer = json.dumps({"message": inner})
        return p, json.dumps({"record": outer})

    def jj_e():
        p = password()
        inner = json.dumps({"password": p, "grant_type": "password", "username": user()})
        return json.dumps(p)[1:-1], f"{prefix()}event={json.dumps({'type': 'http', 'request': {'body': inner}})}"

    def jj_f():
        p = password_simple()
        inner = json.dumps({"auths": None, "credentials": {"passWord": p}})
        return p, json.dumps({"kind": "ConfigMap", "data": {"settings.json": inner}})

    family("password-json-in-json", 14, [jj_a, jj_b, jj_c, jj_d, jj_e, jj_f])

    def xml_esc(s):
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

    def x_a():
        p = password_simple()
        return p, f"<Resource name=\"jdbc/{pick(*SERVICES)}\" auth=\"Container\" type=\"javax.sql.DataSource\" username=\"{user()}\" password=\"{p}\" driverClassName=\"org.postgresql.Driver\" url=\"jdbc:postgresql://{host()}:5432/app\"/>"

    def x_b():
        p, k = password_simple(), pw_key()
        return p, f"    <{k}>{p}</{k}>"

    def x_c():
        p = password_simple()
        return p, f"<property name=\"hibernate.connection.password\" value=\"{p}\"/>"

    def x_d():
        p = password_simple()
        return p, f"<add key=\"DbPassword\" value=\"{p}\" />"

    def x_e():
        p = password_simple()
        return p, f"<server><id>nexus-releases</id><username>{user()}</username><password>{p}</password></server>"

    def x_f():
        p = password_simple()
        return p, f"<user username=\"{user()}\" password=\"{p}\" roles=\"manager-gui,admin-gui\"/>"

    def x_g():
        p = password_simple()
        return p, f"{prefix()}SOAP request: <soapenv:Body><auth:Login><auth:User>{user()}</auth:User><auth:Pass>{p}</auth:Pass></auth:Login></soapenv:Body>"

    def x_h():
        p = password_simple()
        return p, f"<Connector port=\"8443\" protocol=\"HTTP/1.1\" SSLEnabled=\"true\" keystoreFile=\"conf/keystore.jks\" keystorePass=\"{p}\"/>"

    def x_i():
        p = password_simple()
        return p, f"<appender name=\"DB\" class=\"ch.qos.logback.classic.db.DBAppender\"><connectionSource><password>{p}</password></connectionSource></appender>"

    def x_j():
        p = password_simple()
        return p, f"<entry key=\"mail.password\">{p}</entry>"

    def x_k():
        p = password_simple()
        return p, f"<JDBCAppender name=\"db\" tableName=\"logs\"><DriverManager connectionString=\"jdbc:mysql://{host()}/logs\" userName=\"{user()}\" password=\"{p}\"/></JDBCAppender>"

    family("password-xml", 16, [x_a, x_b, x_c, x_d, x_e, x_f, x_g, x_h, x_i, x_j, x_k])

    def y_a():
        p = password_simple()
        return p, f"  {pw_key()}: {p}"

    def y_b():
        p = password_simple()
        return p, f"    db_password: \"{p}\""

    def y_c():
        p = password_simple()
        return p, f"      - POSTGRES_PASSWORD={p}"

    def y_d():
        p = password_simple()
        return p, f"  MYSQL_PASSWORD: '{p}'"

    def y_e():
        p = password_simple()
        return p, f"spring:{NL}  datasource:{NL}    url: jdbc:mysql://{host()}:3306/app{NL}    username: {user()}{NL}    password: {p}"

    def y_f():
        p = password_simple()
        return p, f"        - name: DB_PASSWORD{NL}          value: {p}"

    def y_g():
        p = password_simple()
        return p, f"  rootPassword: {p}"

    def y_h():
        p = password_simple()
        return p, f"{prefix()}helm upgrade --install pg bitnami/postgresql --set auth.postgresPassword={p}"

    def y_i():
        p = password_simple()
        return p, f"redis: {{host: {host()}, port: 6379, password: {p}}}"

    def y_j():
        p = password_simple()
        return p, f"  smtp_auth_password: {p}"

    family("password-yaml", 14, [y_a, y_b, y_c, y_d, y_e, y_f, y_g, y_h, y_i, y_j])

    def q_a():
        p = password_simple()
        return p, f"{ip()} - - [{ts_clf()}] \"GET /login.php?username={user()}&password={p} HTTP/1.1\" 302 0 \"-\" \"Mozilla/5.0\""

    def q_b():
        p = password_simple()
        return p, f"{ip()} - - [{ts_clf()}] \"POST /api/auth?user={user()}&pwd={p}&remember=1 HTTP/1.1\" 200 89"

    def q_c():
        p = password_simple()
        return p, f"{prefix()}GET http://{host()}:8080/cgi-bin/admin.cgi?action=login&pass={p} -> 401"

    def q_d():
        p = password_simple()
        return p, f"{ts_iso()} {ip()} GET /rest/ping.view?u={user()}&p={p}&v=1.16.1&c=DSub 200"

    def q_e():
        p = password_simple()
        return p, f"{ip()} - - [{ts_clf()}] \"GET /ISAPI/Security/userCheck?passwd={p} HTTP/1.1\" 200 233"

    def q_f():
        p = password_simple()
        return p, f"{prefix()}Redirecting to https://{pick(*DOMAINS)}/sso?returnUrl=%2Fhome&login={user()}&password={p}"

    def q_g():
        p = password_simple()
        return p, f"{ip()} - {user()} [{ts_clf()}] \"GET /api/v2/export?format=csv&api_password={p} HTTP/1.1\" 200 81234"

    family("password-url-query", 14, [q_a, q_b, q_c, q_d, q_e, q_f, q_g])

    def enc(p):
        return urllib.parse.quote(p, safe="")

    def pw_special():
        return rs(ALNUM, R.randint(5, 9)) + pick("@", "#", "&", "!", "$", "%", "/", "+") + rs(ALNUM, R.randint(3, 7)) + pick("!", "?", "=", "@")

    def e_a():
        p = enc(pw_special())
        return p, f"{prefix()}POST /login form: username={user()}&password={p}&csrf={rs(HEX, 32)}"

    def e_b():
        p = enc(pw_special())
        return p, f"{ip()} - - [{ts_clf()}] \"GET /auth?user={user()}&password={p} HTTP/1.1\" 200 42"

    def e_c():
        p = pw_special()
        whole = enc(f"password={p}")
        return enc(enc(p)), f"{prefix()}redirect_uri=https%3A%2F%2Fapp.{pick(*DOMAINS)}%2Fcb%3F{enc('user=' + user() + '&')}{enc(whole)}"

    def e_d():
        p = enc(pw_special())
        return p, f"{prefix()}body: grant_type=password&username={user()}&password={p}&client_id=web"

    def e_e():
        p = pw_special()
        q = enc(f"?user={user()}&password={p}")
        return enc(p), f"{ip()} - - [{ts_clf()}] \"GET /redirect?next=%2Flogin{q} HTTP/1.1\" 302 0"

    def e_f():
        p = enc(pw_special())
        return p, f"{prefix()}amqp://{user()}:{p}@{host()}:5672/%2F connection refused"

    family("password-url-encoded", 13, [e_a, e_b, e_c, e_d, e_e, e_f])

    def c_a():
        p = password_simple()
        return p, f"mysql -u{user()} -p{p} -h {host()} app"

    def c_b():
        p = password_simple()
        return p, f"{R.randint(100, 2000)}  mysql -uroot -p'{p}' -e 'show databases'"

    def c_c():
        p = password_simple()
        return p, f"{prefix()}exec: java -Xmx2g -Dspring.datasource.password={p} -Dserver.port=8080 -jar app.jar"

    def c_d():
        p = password_simple()
        return p, f"root      {R.randint(1000, 40000)}  0.3  1.2 123456 7890 ?  Ssl  10:01   0:12 /usr/bin/java -Djavax.net.ssl.keyStorePassword={p} -cp /opt/app/lib/* com.acme.Main"

    def c_e():
        p = password_simple()
        return p, f"sshpass -p '{p}' ssh {user()}@{host()}"

    def c_f():
        p = password_simple()
        return p, f"redis-cli -h {host()} -a {p} ping"

    def c_g():
        p = password_simple()
        return p, f"{prefix()}Running: pg_dump --dbname=app --username={user()} --password={p} --format=custom"

    def c_h():
        p = password_simple()
        return p, f"keytool -importkeystore -srckeystore old.jks -srcstorepass {p} -destkeystore new.p12 -deststoretype PKCS12"

    def c_i():
        p = password_simple()
        return p, f"openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{p}"

    def c_j():
        p = password_simple()
        return p, f"{prefix()}+ curl -u {user()}:{p} https://nexus.{pick(*DOMAINS)}/repository/raw/"

    def c_k():
        p = password_simple()
        return p, f"htpasswd -b /etc/nginx/.htpasswd {user()} {p}"

    def c_l():
        p = password_simple()
        return p, f"{prefix()}mongosh --host {host()} --username {user()} --password {p} --authenticationDatabase admin"

    def c_m():
        p = password_simple()
        return p, f"net use Z: \\\\fileserver\\share /user:CORP\\{user()} {p}"

    def c_n():
        p = password_simple()
        return p, f"{prefix()}ExecStart=/usr/local/bin/exporter --web.listen-address=:9187 --db.pass {p}"

    family("password-cli-flag", 18, [c_a, c_b, c_c, c_d, c_e, c_f, c_g, c_h, c_i, c_j, c_k, c_l, c_m, c_n])


def k_env():
    return pick("DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "ADMIN_PASS",
                "SMTP_PASSWORD", "KEYCLOAK_ADMIN_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD", "ELASTIC_PASSWORD",
                "MONGO_INITDB_ROOT_PASSWORD", "RABBITMQ_DEFAULT_PASS", "LDAP_BIND_PW", "SPRING_DATASOURCE_PASSWORD")


# --- DSNs, connection strings ---------------------------------------------------------------------------------


def dsn_lines():
    def url(scheme, port, path="app", q=""):
        u, p = user(), password_simple()
        return p, f"{scheme}://{u}:{p}@{host()}:{port}/{path}{q}"

    def d_a():
        p, u = url(pick("postgres", "postgresql"), 5432, q=pick("", "?sslmode=require"))
        return p, f"{prefix()}DATABASE_URL={u}"

    def d_b():
        p, u = url("mysql", 3306)
        return p, f"{prefix()}sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (2003, \"Can't connect to MySQL server\") (Background on this error at: https://sqlalche.me/e/14/e3q8) url={u}"

    def d_c():
        u, p = user(), password_simple()
        return p, f"{prefix()}MongoServerSelectionError: connection timed out uri=mongodb+srv://{u}:{p}@cluster0.{rs(LOWER + DIGITS, 5)}.mongodb.net/test?retryWrites=true&w=majority"

    def d_d():
        p = password_simple()
        return p, f"REDIS_URL=redis://:{p}@{host()}:6379/0"

    def d_e():
        p, u = url("amqp", 5672, path="%2F")
        return p, f"{prefix()}[celery] Cannot connect to {u}: [Errno 111] Connection refused."

    def d_f():
        p = password_simple()
        return p, f"{prefix()}HikariPool-1 - Exception during pool initialization. jdbc:postgresql://{host()}:5432/app?user={user()}&password={p}"

    def d_g():
        u, p = user(), password_simple()
        return p, f"jdbc:mysql://{u}:{p}@{host()}:3306/app?useSSL=false"

    def d_h():
        p, u = url("postgresql+psycopg2", 5432)
        return p, f"SQLALCHEMY_DATABASE_URI = '{u}'"

    def d_i():
        p, u = url("rediss", 6380, path="0")
        return p, f"{prefix()}Error: connect ECONNREFUSED {u}"

    def d_j():
        p, u = url("mongodb", 27017, path="admin", q="?authSource=admin")
        return p, json.dumps({"level": "error", "msg": "failed to connect", "uri": u})

    def d_k():
        p, u = url("sqlserver", 1433, path="", q=";databaseName=app")
        return p, f"{prefix()}driver: {u}"

    def d_l():
        p = password_simple()
        return p, f"jdbc:oracle:thin:{user()}/{p}@//{host()}:1521/ORCLPDB1"

    def d_m():
        p, u = url("ftp", 21, path="pub/")
        return p, f"{prefix()}curl: (67) Access denied: 530 {u}"

    def d_n():
        p, u = url("clickhouse", 9000, path="default")
        return p, f"CLICKHOUSE_DSN={u}"

    def d_o():
        p, u = url("smtp", 587, path="")
        return p, f"MAILER_DSN={u}"

    def d_p():
        p, u = url("https", 443, path="repository/pypi/simple")
        return p, f"{prefix()}Looking in indexes: {u}"

    def d_q():
        p, u = url("postgres", 5432, path="app", q="?connect_timeout=10")
        return p, f"panic: failed to connect to `{u}`: dial tcp: lookup db: no such host"

    def d_r():
        p, u = url("nats", 4222, path="")
        return p, f"{prefix()}nats: connecting to {u}"

    def d_s():
        p, u = url("mssql", 1433, path="app")
        return p, f"{prefix()}TypeORM connection url {u} failed"

    def d_t():
        p, u = url("ldap", 389, path="dc=example,dc=com")
        return p, f"{prefix()}ldap URI {u}"

    def d_u():
        p = password_simple()
        return p, f"{prefix()}com.microsoft.sqlserver.jdbc.SQLServerException: Login failed. url=jdbc:sqlserver://{host()}:1433;databaseName=app;user=sa;password={p};encrypt=true"

    def d_v():
        u, p = user(), password_simple()
        return p, f"MONGO_URL=mongodb://{u}:{p}@mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/app?replicaSet=rs0"

    def d_w():
        p, u = url("snowflake", 443, path="ANALYTICS/PUBLIC")
        return p, f"{prefix()}sqlalchemy engine {u}?warehouse=COMPUTE_WH"

    def d_x():
        p, u = url("neo4j+s", 7687, path="")
        return p, f"NEO4J_URI={u}"

    def d_y():
        p, u = url("amqps", 5671, path="vhost")
        return p, json.dumps({"level": "error", "logger": "kombu", "msg": f"Connection to broker lost: {u}"})

    def d_z():
        p, u = url("https", 9200, path="")
        return p, f"{prefix()}elasticsearch: Elasticsearch({u!r}) ConnectionError"

    def d_aa():
        p, u = url("mysql+pymysql", 3306, path="app", q="?charset=utf8mb4")
        return p, f"  url: {u}"

    family("dsn-url", 30, [d_a, d_b, d_c, d_d, d_e, d_f, d_g, d_h, d_i, d_j, d_k, d_l, d_m, d_n, d_o, d_p, d_q, d_r, d_s, d_t, d_u, d_v, d_w, d_x, d_y, d_z, d_aa])

    def g_a():
        p = password_simple()
        return p, f"{prefix()}[mysql] dsn={user()}:{p}@tcp({host()}:3306)/app?parseTime=true&loc=Local"

    def g_b():
        p = password_simple()
        return p, f"MYSQL_DSN={user()}:{p}@tcp(127.0.0.1:3306)/app?charset=utf8mb4"

    def g_c():
        p = password_simple()
        return p, f"{prefix()}Error 1045 (28000): Access denied for user 'app'@'10.0.0.5' (using password: YES) dsn: app:{p}@tcp(mysql:3306)/orders"

    def g_d():
        p = password_simple()
        return p, f"  dsn: \"{user()}:{p}@unix(/var/run/mysqld/mysqld.sock)/app\""

    def g_e():
        p = password_simple()
        return p, f"{prefix()}gorm.Open(mysql.Open(\"{user()}:{p}@tcp({host()})/shop?parseTime=True\"))"

    def g_f():
        p = password_simple()
        return p, f"{prefix()}sql.Open(\"mysql\", \"{user()}:{p}@tcp({host()}:3306)/app?tls=skip-verify&timeout=5s\")"

    family("go-mysql-dsn", 12, [g_a, g_b, g_c, g_d, g_e, g_f])

    def cs_a():
        p = password_simple()
        return p, f"Server=tcp:{rs(LOWER, 8)}.database.windows.net,1433;Initial Catalog=app;Persist Security Info=False;User ID={user()};Password={p};MultipleActiveResultSets=False;Encrypt=True;"

    def cs_b():
        p = password_simple()
        return p, f"{prefix()}System.Data.SqlClient.SqlException: Login failed for user 'sa'. ConnectionString: Data Source={host()};Initial Catalog=Orders;User Id=sa;Pwd={p};"

    def cs_c():
        p = password_simple()
        return p, f"Driver={{ODBC Driver 17 for SQL Server}};Server={host()};Database=app;Uid={user()};Pwd={{{p}}};"

    def cs_d():
        p = password_simple()
        return p, f"  \"ConnectionStrings\": {{ \"Default\": \"Host={host()};Port=5432;Database=app;Username={user()};Password={p}\" }}"

    def cs_e():
        p = password_simple()
        return p, f"<add name=\"Main\" connectionString=\"Data Source=ORCL;User Id={user()};Password={p};\" providerName=\"Oracle.ManagedDataAccess.Client\" />"

    def cs_f():
        p = password_simple()
        return p, f"{prefix()}StackExchange.Redis: connecting {host()}:6380,password={p},ssl=True,abortConnect=False"

    def cs_g():
        p = password_simple()
        return p, f"DSN=warehouse;UID={user()};PWD={p};"

    def cs_h():
        p = password_simple()
        return p, f"ConnectionStrings__Default=Server={host()};Database=app;User={user()};Password={p};TrustServerCertificate=true"

    def cs_i():
        p = password_simple()
        return p, f"Provider=SQLOLEDB;Data Source={host()};Initial Catalog=Sales;User ID={user()};Password={p};"

    def cs_j():
        p = password_simple()
        return p, f"{prefix()}pq: connecting with \"host={host()} port=5432 user={user()} password={p} dbname=app sslmode=disable\""

    def cs_k():
        p = password_simple()
        return p, f"{prefix()}psycopg2.OperationalError: connection to server failed; dsn='dbname=app user={user()} password={p} host={host()}'"

    family("connection-string", 15, [cs_a, cs_b, cs_c, cs_d, cs_e, cs_f, cs_g, cs_h, cs_i, cs_j, cs_k])


# --- HTTP -----------------------------------------------------------------------------------------------------


def http_lines():
    def sid(n=32):
        return pick(rs(HEX, n), rs(ALNUM, n), rs(UPPER + DIGITS, n))

    def ck_a():
        s = sid(32)
        return s, f"Cookie: JSESSIONID={s}; lang=en"

    def ck_b():
        s = rs(LOWER + DIGITS, 26)
        return s, f"{prefix()}request cookies: PHPSESSID={s}; _ga=GA1.2.{rs(DIGITS, 9)}.{rs(DIGITS, 10)}"

    def ck_c():
        s = "s%3A" + rs(ALNUM + "-_", 32) + "." + rs(ALNUM + "%", 43)
        return s, f"< Set-Cookie: connect.sid={s}; Path=/; HttpOnly"

    def ck_d():
        s = rs(LOWER + DIGITS, 32)
        return s, f"{ip()} - - [{ts_clf()}] \"GET /admin/ HTTP/1.1\" 200 4512 \"-\" \"Mozilla/5.0\" \"sessionid={s}; csrftoken={rs(ALNUM, 32)}\""

    def ck_e():
        s = urllib.parse.quote(b64(R.randint(60, 120)), safe="")
        return s, f"Set-Cookie: laravel_session={s}; expires=Thu, 14-Mar-2024 12:00:00 GMT; path=/; httponly"

    def ck_f():
        s = rs(LOWER + DIGITS, 24)
        return s, f"{prefix()}headers={{'Cookie': 'ASP.NET_SessionId={s}; .ASPXAUTH={rs(HEX.upper(), 96)}'}}"

    def ck_g():
        s = rs(ALNUM, 40)
        return s, json.dumps({"req": {"method": "GET", "url": "/account", "headers": {"cookie": f"session={s}; theme=dark"}}})

    def ck_h():
        s = rs(ALNUM + "-_", 43)
        return s, f"{prefix()}Set-Cookie: __Secure-next-auth.session-token={s}; Path=/; Secure; HttpOnly; SameSite=Lax"

    def ck_i():
        s = rs(HEX, 40)
        return s, f"cookie: _gitlab_session={s}"

    def ck_j():
        s = rs(ALNUM, 32)
        return s, f"{prefix()}Session created: sid={s} user={user()}"

    def ck_k():
        s = rs(HEX, 64)
        return s, f"curl 'https://app.{pick(*DOMAINS)}/api/items' -H 'cookie: auth_token={s}; locale=de'"

    family("cookie-session", 16, [ck_a, ck_b, ck_c, ck_d, ck_e, ck_f, ck_g, ck_h, ck_i, ck_j, ck_k])

    def basic():
        return base64.b64encode(f"{user()}:{password_simple()}".encode()).decode()

    def ba_a():
        b = basic()
        return b, f"> Authorization: Basic {b}"

    def ba_b():
        b = basic()
        return b, f"{prefix()}Request headers: {{'User-Agent': 'python-requests/2.31.0', 'Authorization': 'Basic {b}'}}"

    def ba_c():
        b = basic()
        return b, f"Authorization: Basic {b}"

    def ba_d():
        b = basic()
        return b, f"{prefix()}http: GET /metrics map[Accept:[*/*] Authorization:[Basic {b}]]"

    def ba_e():
        b = basic()
        return b, json.dumps({"headers": {"authorization": f"Basic {b}", "host": "api." + pick(*DOMAINS)}})

    def ba_f():
        b = basic()
        return b, f"proxy-authorization: basic {b}"

    def ba_g():
        b = basic()
        return b, f"{prefix()}DEBUG o.a.h.headers - http-outgoing-{R.randint(0, 9)} >> Authorization: Basic {b}"

    family("authorization-basic", 13, [ba_a, ba_b, ba_c, ba_d, ba_e, ba_f, ba_g])

    def opaque():
        return pick(rs(ALNUM, R.randint(32, 64)), rs(ALNUM + "-_.", 48), rs(HEX, 40), ruuid(), b64(32))

    def be_a():
        b = opaque()
        return b, f"> Authorization: Bearer {b}"

    def be_b():
        b = opaque()
        return b, f"{prefix()}headers={{'Authorization': 'Bearer {b}', 'Content-Type': 'application/json'}}"

    def be_c():
        b = opaque()
        return b, f"authorization: bearer {b}"

    def be_d():
        b = opaque()
        return b, json.dumps({"method": "POST", "path": "/v1/orders", "headers": {"Authorization": f"Bearer {b}"}})

    def be_e():
        b = opaque()
        return b, f"{prefix()}curl -sS -H \"Authorization: Bearer {b}\" https://api.{pick(*DOMAINS)}/v1/status"

    def be_f():
        b = opaque()
        return b, f"{prefix()}http.request: Authorization=[Bearer {b}] url=/internal/jobs"

    def be_g():
        b = opaque()
        return b, f"    Authorization: Bearer {b}"

    family("authorization-bearer", 14, [be_a, be_b, be_c, be_d, be_e, be_f, be_g])

    def ot_a():
        r = rs(HEX, 32)
        return r, f"Authorization: Digest username=\"{user()}\", realm=\"api\", nonce=\"{rs(HEX, 32)}\", uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"{rs(HEX, 8)}\", response=\"{r}\", opaque=\"{rs(HEX, 32)}\""

    def ot_b():
        k, s = aws_key_id(), rs(HEX, 64)
        return [k, s], f"Authorization: AWS4-HMAC-SHA256 Credential={k}/20240314/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={s}"

    def ot_c():
        s = rs(ALNUM, 40)
        return s, f"Authorization: Token token={s}"

    def ot_d():
        s = rs(ALNUM, 40)
        return s, f"{prefix()}Authorization: Token {s}"

    def ot_e():
        s = "00" + rs(ALNUM + "-_", 40)
        return s, f"Authorization: SSWS {s}"

    def ot_f():
        s = "TlRMTVNTUAAB" + rs(B64, 40)
        return s, f"{prefix()}Authorization: NTLM {s}"

    def ot_g():
        s = "YII" + rs(B64, 120)
        return s, f"Authorization: Negotiate {s}"

    def ot_h():
        s = b64(32)
        return s, f"Authorization: ApiKey {s}"

    def ot_i():
        s = ruuid()
        return s, f"Authorization: GenieKey {s}"

    def ot_j():
        s = ruuid()
        return s, f"{prefix()}POST /services/collector/event Authorization: Splunk {s}"

    def ot_k():
        sig = urllib.parse.quote(b64(20), safe="")
        return sig, f"Authorization: OAuth oauth_consumer_key=\"{rs(ALNUM, 25)}\", oauth_nonce=\"{rs(ALNUM, 32)}\", oauth_signature=\"{sig}\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1710410000\", oauth_version=\"1.0\""

    def ot_l():
        s = "SharedKey " + f"st{rs(LOWER, 6)}:" + b64(32)
        v = s.split(":", 1)[1]
        return v, f"{prefix()}x-ms-date: Thu, 14 Mar 2024 10:00:00 GMT Authorization: {s}"

    def ot_m():
        s = rs(ALNUM, 59) + "." + rs(ALNUM + "-_", 6) + "." + rs(ALNUM + "-_", 27)
        return s, f"Authorization: Bot {s}"

    def ot_n():
        m = rs(B64, 43) + "="
        return m, f"Authorization: Hawk id=\"dh37fgj492je\", ts=\"1353832234\", nonce=\"j4h3g2\", mac=\"{m}\""

    family("authorization-other", 16, [ot_a, ot_b, ot_c, ot_d, ot_e, ot_f, ot_g, ot_h, ot_i, ot_j, ot_k, ot_l, ot_m, ot_n])

    def ak():
        return pick(rs(ALNUM, 32), rs(HEX, 32), ruuid(), rs(ALNUM + "-_", 40))

    def h_a():
        k = ak()
        return k, f"X-API-Key: {k}"

    def h_b():
        k = ak()
        return k, f"{prefix()}> x-api-key: {k}"

    def h_c():
        k = rs(HEX, 32)
        return k, f"Ocp-Apim-Subscription-Key: {k}"

    def h_d():
        k = ak()
        return k, f"{prefix()}headers: {{'X-Auth-Token': '{k}', 'Accept': 'application/json'}}"

    def h_e():
        k = ak()
        return k, f"{prefix()}curl -H \"apikey: {k}\" https://api.{pick(*DOMAINS)}/v2/rates"

    def h_f():
        k = rs(HEX, 50)
        return k, f"X-RapidAPI-Key: {k}"

    def h_g():
        k = ak()
        return k, json.dumps({"headers": {"api-key": k, "content-type": "application/json"}})

    def h_h():
        k = "shpat_" + rs(HEX, 32)
        return k, f"X-Shopify-Access-Token: {k}"

    def h_i():
        k = ak()
        return k, f"{prefix()}Proxy-Authorization-Key: {k}"

    def h_j():
        k = ak()
        return k, f"{prefix()}http.client: send: b'GET /v1/items HTTP/1.1\\r\\nHost: api.{pick(*DOMAINS)}\\r\\nX-Api-Key: {k}\\r\\n\\r\\n'"

    family("api-key-header", 14, [h_a, h_b, h_c, h_d, h_e, h_f, h_g, h_h, h_i, h_j])

    def kv_a():
        k = ak()
        return k, f"{prefix()}api_key={k}"

    def kv_b():
        k = ak()
        return k, f"API_KEY={k}"

    def kv_c():
        k = ak()
        return k, json.dumps({"service": "weather", "apiKey": k})

    def kv_d():
        k = ak()
        return k, f"  api-key: {k}"

    def kv_e():
        k = ak()
        return k, f"{ip()} - - [{ts_clf()}] \"GET /v1/forecast?q=Paris&appid={k} HTTP/1.1\" 200 3021"

    def kv_f():
        k = "base64:" + b64(32)
        return k[7:], f"APP_KEY={k}"

    def kv_g():
        k = ak()
        return k, f"{prefix()}using access_key {k}"

    def kv_h():
        k = ak()
        return k, f"{prefix()}PagerDuty integration_key={k}"

    def kv_i():
        k = ak()
        return k, f"<add key=\"ApiKey\" value=\"{k}\" />"

    family("api-key-kv", 14, [kv_a, kv_b, kv_c, kv_d, kv_e, kv_f, kv_g, kv_h, kv_i])


def oauth_lines():
    def sec():
        return pick(rs(ALNUM, 40), rs(ALNUM + "-_", 32), rs(HEX, 40), b64(32))

    def a():
        s = sec()
        return s, f"{prefix()}POST /oauth/token grant_type=client_credentials&client_id={rs(ALNUM, 20)}&client_secret={s}"

    def b():
        s = sec()
        return s, json.dumps({"client_id": rs(ALNUM, 20), "client_secret": s, "redirect_uris": ["https://app." + pick(*DOMAINS) + "/cb"]})

    def c():
        s = sec()
        return s, f"OAUTH_CLIENT_SECRET={s}"

    def d():
        s = sec()
        return s, f"spring.security.oauth2.client.registration.github.client-secret={s}"

    def e():
        s = ruuid()
        return s, f"{prefix()}keycloak adapter config: {{\"realm\":\"prod\",\"resource\":\"api\",\"credentials\":{{\"secret\":\"{s}\"}}}}"

    def f():
        s = sec()
        return s, f"  clientSecret: {s}"

    def g():
        s = sec()
        return s, f"{prefix()}--oidc-client-secret={s} --oidc-issuer-url=https://accounts.google.com"

    def h():
        s = sec()
        return s, f"SOCIAL_AUTH_GITHUB_SECRET = '{s}'"

    family("oauth-client-secret", 13, [a, b, c, d, e, f, g, h])

    def tok():
        return pick(rs(ALNUM, 40), rs(ALNUM + "-_.", 60), b64(48))

    def ta():
        at, rt = tok(), tok()
        return [at, rt], json.dumps({"access_token": at, "token_type": "Bearer", "expires_in": 3600, "refresh_token": rt})

    def tb():
        rt = tok()
        return rt, f"{prefix()}POST /oauth2/token body=grant_type=refresh_token&refresh_token={rt}"

    def tc():
        at = tok()
        return at, f"{ip()} - - [{ts_clf()}] \"GET /callback#access_token={at}&token_type=bearer&expires_in=7200 HTTP/1.1\" 200 0"

    def td():
        at = tok()
        return at, f"{prefix()}oauth2: token refreshed, access_token={at} expiry={ts_iso()}"

    def te():
        code = rs(ALNUM + "-_", 40)
        return code, f"{ip()} - - [{ts_clf()}] \"GET /auth/callback?code={code}&state={rs(HEX, 16)} HTTP/1.1\" 302 0"

    def tf():
        rt = tok()
        return rt, f"  refresh_token: {rt}"

    family("oauth-token", 13, [ta, tb, tc, td, te, tf])

    def ya():
        return "ya29." + rs(ALNUM + "-_", R.randint(120, 180))

    def gs():
        return "GOCSPX-" + rs(ALNUM + "-_", 28)

    def go_a():
        k = ya()
        return k, f"> Authorization: Bearer {k}"

    def go_b():
        k = gs()
        return k, json.dumps({"web": {"client_id": f"{rs(DIGITS, 12)}-{rs(LOWER + DIGITS, 32)}.apps.googleusercontent.com", "client_secret": k}})

    def go_c():
        k = gs()
        return k, f"GOOGLE_CLIENT_SECRET={k}"

    def go_d():
        k = ya()
        return k, json.dumps({"access_token": k, "expires_in": 3599, "scope": "https://www.googleapis.com/auth/cloud-platform", "token_type": "Bearer"})

    def go_e():
        k = "1//0" + rs(ALNUM + "-_", 99)
        return k, f"{prefix()}google.oauth2.credentials: refresh_token={k}"

    def go_f():
        k = ya()
        return k, f"{prefix()}GET https://www.googleapis.com/drive/v3/files?access_token={k} 401"

    family("google-oauth", 12, [go_a, go_b, go_c, go_d, go_e, go_f])

    def fb():
        return "EAA" + rs(ALNUM, R.randint(150, 200))

    def fb_a():
        k = fb()
        return k, f"{prefix()}GET https://graph.facebook.com/v19.0/me?fields=id,name&access_token={k}"

    def fb_b():
        k = fb()
        return k, f"FACEBOOK_ACCESS_TOKEN={k}"

    def fb_c():
        k = rs(HEX, 32)
        return k, f"FACEBOOK_APP_SECRET={k}"

    def fb_d():
        k = fb()
        return k, json.dumps({"page": {"id": rs(DIGITS, 15), "access_token": k}})

    def fb_e():
        k = rs(HEX, 32)
        return k, f"{prefix()}facebook: app_id={rs(DIGITS, 15)} app_secret={k}"

    family("facebook-token", 12, [fb_a, fb_b, fb_c, fb_d, fb_e])

    def tg():
        return f"{R.randint(10 ** 8, 10 ** 10 - 1)}:AA{rs(ALNUM + '-_', 33)}"

    def tg_a():
        k = tg()
        return k, f"{prefix()}POST https://api.telegram.org/bot{k}/sendMessage 200"

    def tg_b():
        k = tg()
        return k, f"TELEGRAM_BOT_TOKEN={k}"

    def tg_c():
        k = tg()
        return k, json.dumps({"notifier": "telegram", "bot_token": k, "chat_id": -R.randint(10 ** 9, 10 ** 10)})

    def tg_d():
        k = tg()
        return k, f"{prefix()}telegram.error.InvalidToken: Invalid token {k}"

    family("telegram-bot", 12, [tg_a, tg_b, tg_c, tg_d])

    def dc():
        return pick("M", "N", "O") + rs(ALNUM, 23) + "." + rs(ALNUM + "-_", 6) + "." + rs(ALNUM + "-_", 38)

    def dc_a():
        k = dc()
        return k, f"DISCORD_TOKEN={k}"

    def dc_b():
        w = rs(ALNUM + "-_", 68)
        return w, f"{prefix()}POST https://discord.com/api/webhooks/{rs(DIGITS, 18)}/{w} 204"

    def dc_c():
        k = dc()
        return k, f"{prefix()}discord.errors.LoginFailure: Improper token has been passed: {k}"

    def dc_d():
        w = rs(ALNUM + "-_", 68)
        return w, f"  webhook_url: https://discordapp.com/api/webhooks/{rs(DIGITS, 19)}/{w}"

    def dc_e():
        k = dc()
        return k, json.dumps({"bot": {"token": k, "prefix": "!"}})

    family("discord", 12, [dc_a, dc_b, dc_c, dc_d, dc_e])

    def sh():
        return pick("shpat_", "shpca_", "shppa_", "shpss_") + rs(HEX, 32)

    def sh_a():
        k = sh()
        return k, f"SHOPIFY_ACCESS_TOKEN={k}"

    def sh_b():
        k = sh()
        return k, f"{prefix()}POST https://{rs(LOWER, 8)}.myshopify.com/admin/api/2024-01/graphql.json X-Shopify-Access-Token: {k}"

    def sh_c():
        k = sh()
        return k, json.dumps({"shop": f"{rs(LOWER, 8)}.myshopify.com", "accessToken": k})

    def sh_d():
        k = sh()
        return k, f"  shopify_api_secret: {k}"

    family("shopify", 12, [sh_a, sh_b, sh_c, sh_d])

    def sq():
        return pick("sq0atp-" + rs(ALNUM + "-_", 22), "sq0csp-" + rs(ALNUM + "-_", 43), "EAAA" + rs(ALNUM + "-_", 60))

    def sq_a():
        k = sq()
        return k, f"SQUARE_ACCESS_TOKEN={k}"

    def sq_b():
        k = sq()
        return k, f"> Authorization: Bearer {k}"

    def sq_c():
        k = sq()
        return k, json.dumps({"square": {"environment": "production", "accessToken": k}})

    def sq_d():
        k = sq()
        return k, f"{prefix()}square client init token={k} location={rs(UPPER + DIGITS, 13)}"

    family("square", 12, [sq_a, sq_b, sq_c, sq_d])


def observability_lines():
    def dd_a():
        k = rs(HEX, 32)
        return k, f"DD_API_KEY={k}"

    def dd_b():
        k = rs(HEX, 40)
        return k, f"DD_APP_KEY={k}"

    def dd_c():
        k = rs(HEX, 32)
        return k, f"{prefix()}curl -X POST https://api.datadoghq.com/api/v1/series -H \"DD-API-KEY: {k}\" -d @metrics.json"

    def dd_d():
        k, a = rs(HEX, 32), rs(HEX, 40)
        return [k, a], f"{prefix()}datadog: api_key={k} application_key={a}"

    def dd_e():
        k = rs(HEX, 32)
        return k, f"  api_key: {k}"

    def dd_f():
        k = rs(HEX, 32)
        return k, f"{prefix()}https://http-intake.logs.datadoghq.eu/api/v2/logs?dd-api-key={k}&ddsource=nginx"

    family("datadog", 12, [dd_a, dd_b, dd_c, dd_d, dd_e, dd_f])

    def nr_a():
        k = "NRAK-" + rs(UPPER + DIGITS, 27)
        return k, f"NEW_RELIC_API_KEY={k}"

    def nr_b():
        k = rs(HEX, 36) + "NRAL"
        return k, f"NEW_RELIC_LICENSE_KEY={k}"

    def nr_c():
        k = rs(HEX, 36) + "NRAL"
        return k, f"  license_key: '{k}'"

    def nr_d():
        k = "NRII-" + rs(ALNUM + "-_", 32)
        return k, f"{prefix()}X-Insert-Key: {k}"

    def nr_e():
        k = "NRAK-" + rs(UPPER + DIGITS, 27)
        return k, f"{prefix()}curl -X POST https://api.newrelic.com/graphql -H 'API-Key: {k}'"

    def nr_f():
        k = rs(HEX, 36) + "NRAL"
        return k, f"-Dnewrelic.config.license_key={k}"

    family("newrelic", 12, [nr_a, nr_b, nr_c, nr_d, nr_e, nr_f])

    def se_dsn():
        k = rs(HEX, 32)
        return k, f"https://{k}@o{R.randint(100000, 999999)}.ingest.sentry.io/{R.randint(1000000, 9999999)}"

    def se_a():
        k, d = se_dsn()
        return k, f"SENTRY_DSN={d}"

    def se_b():
        k, d = se_dsn()
        return k, f"{prefix()}Sentry.init({{ dsn: \"{d}\", tracesSampleRate: 0.2 }})"

    def se_c():
        k = "sntrys_" + b64url_nopad(json.dumps({"iat": R.randint(1700000000, 1730000000), "url": "https://sentry.io", "org": "acme"}).encode()) + "_" + rs(ALNUM + "/+", 43)
        return k, f"SENTRY_AUTH_TOKEN={k}"

    def se_d():
        k = "sntryu_" + rs(HEX, 64)
        return k, f"{prefix()}sentry-cli --auth-token {k} releases new 1.4.2"

    def se_e():
        k, d = se_dsn()
        return k, json.dumps({"sentry": {"dsn": d, "environment": "prod"}})

    def se_f():
        k = rs(HEX, 32)
        return k, f"{prefix()}X-Sentry-Auth: Sentry sentry_version=7, sentry_client=raven-python/6.10.0, sentry_key={k}"

    family("sentry", 12, [se_a, se_b, se_c, se_d, se_e, se_f])

    def vt():
        return pick("hvs." + rs(ALNUM + "-_", 90), "hvs." + rs(ALNUM, 24), "s." + rs(ALNUM, 24), "hvb." + rs(ALNUM + "-_", 138))

    def v_a():
        k = vt()
        return k, f"VAULT_TOKEN={k}"

    def v_b():
        k = vt()
        return k, f"{prefix()}X-Vault-Token: {k}"

    def v_c():
        k = vt()
        return k, json.dumps({"auth": {"client_token": k, "accessor": rs(ALNUM, 24), "policies": ["default"], "lease_duration": 2764800}})

    def v_d():
        k = vt()
        return k, f"{prefix()}vault login {k}"

    def v_e():
        k = vt()
        return k, f"{prefix()}curl --header \"X-Vault-Token: {k}\" https://vault.{pick(*DOMAINS)}:8200/v1/secret/data/app"

    family("vault-token", 12, [v_a, v_b, v_c, v_d, v_e])


def generic_lines():
    def s():
        return pick(rs(HEX, 64), rs(HEX, 128), b64(32), rs(ALNUM, 50), rs(ALNUM + "!@#%^&*(-_=+)", 50))

    def a():
        k = s()
        return k, f"SECRET_KEY_BASE={k}"

    def b():
        k = s()
        return k, f"JWT_SECRET={k}"

    def c():
        k = s()
        return k, f"{prefix()}app.jwt.signing-key={k}"

    def d():
        k = b64(32)
        return k, json.dumps({"encryption": {"algorithm": "AES-256-GCM", "key": k}})

    def e():
        k = s()
        return k, f"  webhook_secret: \"{k}\""

    def f():
        k = "django-insecure-" + rs(LOWER + DIGITS + "!@#$%^&*(-_=+)", 50)
        return k, f"SECRET_KEY = '{k}'"

    def g():
        k = s()
        return k, f"{prefix()}HMAC_KEY={k}"

    def h():
        k = rs(HEX, 32)
        return k, f"  master_key: {k}"

    def i():
        k = s()
        return k, f"{prefix()}Loaded settings: {{'SESSION_SECRET': '{k}', 'DEBUG': False}}"

    def j():
        k = s()
        return k, f"<add key=\"EncryptionKey\" value=\"{k}\" />"

    def k_():
        k = s()
        return k, f"{prefix()}-Dapp.crypto.secret={k}"

    def l_():
        k = s()
        return k, f"NEXTAUTH_SECRET={k}"

    family("generic-secret", 16, [a, b, c, d, e, f, g, h, i, j, k_, l_])

    def ks_a():
        p = password_simple()
        e = base64.b64encode(p.encode()).decode()
        return e, f"  password: {e}"

    def ks_b():
        p = password_simple()
        e = base64.b64encode(p.encode()).decode()
        return e, f"  DB_PASSWORD: {e}"

    def ks_c():
        body = "\n".join(["-----BEGIN PRIVATE KEY-----"] + pem_body(120) + ["-----END PRIVATE KEY-----"])
        e = base64.b64encode(body.encode()).decode()
        return e, f"  tls.key: {e}"

    def ks_d():
        tk = rs(ALNUM, 40)
        e = base64.b64encode(tk.encode()).decode()
        return e, f"  api-token: {e}"

    def ks_e():
        p = password_simple()
        e = base64.b64encode(p.encode()).decode()
        return e, f"apiVersion: v1{NL}kind: Secret{NL}metadata:{NL}  name: {pick(*SERVICES)}-db{NL}type: Opaque{NL}data:{NL}  username: {base64.b64encode(user().encode()).decode()}{NL}  password: {e}"

    def ks_f():
        p = password_simple()
        e = base64.b64encode(p.encode()).decode()
        return e, json.dumps({"apiVersion": "v1", "kind": "Secret", "data": {"password": e}, "metadata": {"name": "app"}})

    def ks_g():
        tk = jwt()
        e = base64.b64encode(tk.encode()).decode()
        return e, f"  token: {e}"

    def ks_h():
        p = password_simple()
        e = base64.b64encode(p.encode()).decode()
        return e, f"  secret-key: {e}"

    family("k8s-secret-data", 12, [ks_a, ks_b, ks_c, ks_d, ks_e, ks_f, ks_g, ks_h])


# --- personal data ------------------------------------------------------------------------------------------


def pii_lines():
    def em_a():
        e = email()
        return e, f"{prefix()}User registered: email={e} plan=free"

    def em_b():
        e = email()
        return e, f"From: \"{pick(*FIRST).title()} {pick(*LAST).title()}\" <{e}>"

    def em_c():
        e = email()
        return e, json.dumps({"event": "password_reset", "user": {"id": R.randint(1, 99999), "email": e}})

    def em_d():
        e = email()
        return e, f"{ts_syslog()} mail postfix/smtp[{R.randint(1000, 9999)}]: 3F2A1{rs(HEX.upper(), 5)}: to=<{e}>, relay=mx.{pick(*DOMAINS)}[{ip()}]:25, delay=0.4, status=sent (250 2.0.0 OK)"

    def em_e():
        e = email()
        return e, f"{prefix()}Failed login for {e} from {ip()}"

    def em_f():
        e = email()
        return e, f"{ip()} - - [{ts_clf()}] \"GET /unsubscribe?email={urllib.parse.quote(e, safe='@')} HTTP/1.1\" 200 310"

    def em_g():
        e = email()
        return e, f"{prefix()}javax.mail.SendFailedException: Invalid Addresses; nested exception is: 550 5.1.1 <{e}>: Recipient address rejected"

    def em_h():
        e = email()
        return e, f"  admin_email: {e}"

    def em_i():
        e = email()
        enc = urllib.parse.quote(e, safe="")
        return enc, f"{ip()} - - [{ts_clf()}] \"POST /api/subscribe?address={enc} HTTP/1.1\" 201 0"

    def em_j():
        e = email()
        return e, f"{prefix()}user {user()} changed email to {e}"

    family("email", 16, [em_a, em_b, em_c, em_d, em_e, em_f, em_g, em_h, em_i, em_j])

    def intl():
        return pick(f"+44 20 {R.randint(7000, 7999)} {rs(DIGITS, 4)}", f"+49 30 {R.randint(2, 9)}{rs(DIGITS, 7)}", f"+33 {R.randint(1, 7)} {rs(DIGITS, 2)} {rs(DIGITS, 2)} {rs(DIGITS, 2)} {rs(DIGITS, 2)}",
                    f"+86 1{pick('3', '5', '8')}{rs(DIGITS, 1)} {rs(DIGITS, 4)} {rs(DIGITS, 4)}", f"+1-{R.randint(201, 989)}-555-{rs(DIGITS, 4)}", f"+81 3-{rs(DIGITS, 4)}-{rs(DIGITS, 4)}",
                    f"+61 2 {rs(DIGITS, 4)} {rs(DIGITS, 4)}", f"+7 495 {rs(DIGITS, 3)}-{rs(DIGITS, 2)}-{rs(DIGITS, 2)}", f"+91 9{rs(DIGITS, 4)} {rs(DIGITS, 5)}",
                    f"+55 11 9{rs(DIGITS, 4)}-{rs(DIGITS, 4)}", f"+4477009{rs(DIGITS, 5)}", f"+34 6{rs(DIGITS, 2)} {rs(DIGITS, 3)} {rs(DIGITS, 3)}",
                    f"+39 3{rs(DIGITS, 2)} {rs(DIGITS, 7)}", f"+8613{rs(DIGITS, 9)}", f"+31 6 {rs(DIGITS, 8)}", f"+971 50 {rs(DIGITS, 3)} {rs(DIGITS, 4)}")

    def ph_tmpl(v):
        return pick(f"{prefix()}SMS sent to {v} status=delivered",
                    f"{prefix()}phone={v} verified=true",
                    json.dumps({"customer": {"name": pick(*FIRST).title(), "phone": v}}),
                    f"{prefix()}Twilio: To={v} From=+15005550006 Body=Your code is {rs(DIGITS, 6)}",
                    f"  contact_phone: \"{v}\"",
                    f"{prefix()}call from {v} routed to queue support-{R.randint(1, 5)}",
                    f"<Phone type=\"mobile\">{v}</Phone>",
                    f"{prefix()}User(id={R.randint(1, 9999)}, mobile='{v}')")

    def ph_i():
        v = intl()
        return v, ph_tmpl(v)

    family("phone-international", 16, [ph_i])

    def cn():
        base = f"1{pick('3', '5', '7', '8', '9')}{rs(DIGITS, 9)}"
        return pick(base, base, base, f"{base[:3]}-{base[3:7]}-{base[7:]}", f"{base[:3]} {base[3:7]} {base[7:]}",
                    f"+86{base}", f"+86-{base}", f"0{pick('10', '21', '755', '571')}-{R.randint(2, 8)}{rs(DIGITS, 7)}")

    def cn_a():
        v = cn()
        return v, pick(f"{prefix()}用户手机号: {v}", f"{prefix()}发送验证码到 {v} 成功",
                       json.dumps({"mobile": v, "name": "张伟"}, ensure_ascii=False), f"{prefix()}mobile={v}&code={rs(DIGITS, 6)}",
                       f"{prefix()}收货人: 李娜 电话: {v} 地址: 上海市浦东新区", f"{prefix()}phone:{v}",
                       f"{prefix()}login by sms, tel={v}, result=ok", f"<Mobile>{v}</Mobile>")

    family("phone-cn", 16, [cn_a])

    def us():
        a = R.randint(201, 989)
        n = rs(DIGITS, 4)
        return pick(f"({a}) 555-{n}", f"{a}-555-{n}", f"{a}.555.{n}", f"+1 ({a}) 555-{n}", f"1-800-555-{n}", f"{a}555{n}", f"+1 {a} 555 {n}")

    def us_a():
        v = us()
        return v, pick(f"{prefix()}Customer callback number: {v}", f"{prefix()}phone={v}",
                       json.dumps({"billing": {"phone": v, "zip": rs(DIGITS, 5)}}), f"  phone_number: \"{v}\"",
                       f"{prefix()}Order #{rs(DIGITS, 7)} contact {v} (mobile)", f"{prefix()}TCPA opt-out received from {v}",
                       f"{prefix()}voicemail left for {v}")

    family("phone-us", 14, [us_a])

    def grouped():
        return pick(f"020 7{rs(DIGITS, 3)} {rs(DIGITS, 4)}", f"07700 {rs(DIGITS, 6)}", f"06 {rs(DIGITS, 2)} {rs(DIGITS, 2)} {rs(DIGITS, 2)} {rs(DIGITS, 2)}",
                    f"030 {R.randint(2, 9)}{rs(DIGITS, 7)}", f"0151 {rs(DIGITS, 4)} {rs(DIGITS, 4)}", f"0412 {rs(DIGITS, 3)} {rs(DIGITS, 3)}",
                    f"090-{rs(DIGITS, 4)}-{rs(DIGITS, 4)}", f"06-{rs(DIGITS, 8)}", f"0{R.randint(2, 9)}.{rs(DIGITS, 2)}.{rs(DIGITS, 2)}.{rs(DIGITS, 2)}.{rs(DIGITS, 2)}",
                    f"(0{R.randint(21, 89)}) {rs(DIGITS, 3)} {rs(DIGITS, 4)}")

    def gr_a():
        v = grouped()
        return v, pick(f"{prefix()}Kunde Tel.: {v}", f"{prefix()}tél: {v}", f"{prefix()}phone: {v}",
                       json.dumps({"contact": {"tel": v}}), f"{prefix()}Rückruf an {v} vereinbart",
                       f"{prefix()}delivery contact {v} (evenings)", f"  telephone: '{v}'")

    family("phone-grouped", 14, [gr_a])

    def id18_a():
        v = cn_id18()
        return v, pick(f"{prefix()}实名认证 身份证号: {v} 姓名: 王芳 结果: 通过", f"{prefix()}idCard={v}",
                       json.dumps({"id_no": v, "real_name": "刘洋"}, ensure_ascii=False), f"{prefix()}verify identity id_number={v} status=PASS",
                       f"<IdCard>{v}</IdCard>", f"{prefix()}用户 {user()} 提交证件 {v}", f"  idcard: \"{v}\"",
                       f"{ip()} - - [{ts_clf()}] \"GET /api/user/verify?idcard={v}&name=%E5%BC%A0%E4%B8%89 HTTP/1.1\" 200 88")

    family("cn-id-18", 16, [id18_a])

    def id15_a():
        v = cn_id15()
        return v, pick(f"{prefix()}旧身份证号: {v}", f"{prefix()}idCard={v} (15-digit, legacy)",
                       json.dumps({"sfzh": v}), f"{prefix()}身份证 {v} 已升级", f"<SFZH>{v}</SFZH>",
                       f"{prefix()}legacy id_no={v} needs conversion")

    family("cn-id-15", 12, [id15_a])

    def ssn_a():
        v = ssn()
        return v, pick(f"{prefix()}SSN: {v}", f"{prefix()}ssn={v} dob=1984-02-11", json.dumps({"applicant": {"ssn": v}}),
                       f"{prefix()}Background check requested for SSN {v}", f"  social_security_number: {v}",
                       f"{prefix()}W-2 generated for employee taxpayer id {v}", f"<SSN>{v}</SSN>")

    def ssn_b():
        v = ssn().replace("-", "")
        return v, pick(f"{prefix()}ssn={v}", json.dumps({"ssn": v}), f"{prefix()}SSN {v} failed validation")

    family("us-ssn", 14, [ssn_a, ssn_b, ssn_a])

    def card_a():
        n = card_number()
        v = group_card(n, pick("", " ", "-", "", " "))
        return v, pick(f"{prefix()}Payment declined card={v} exp=0{R.randint(1, 9)}/2{R.randint(5, 9)}",
                       json.dumps({"payment": {"pan": v, "amount": R.randint(100, 99999), "currency": "EUR"}}),
                       f"{prefix()}charging card number {v} amount 49.99 USD",
                       f"{ip()} - - [{ts_clf()}] \"GET /checkout?cc={v.replace(' ', '+')}&cvv={rs(DIGITS, 3)} HTTP/1.1\" 302 0" if " " not in v else f"{prefix()}cc={v}",
                       f"<CardNumber>{v}</CardNumber>", f"  card_number: \"{v}\"",
                       f"{prefix()}PaymentException: invalid CVV for {v}",
                       f"{prefix()}卡号: {v}")

    family("card", 20, [card_a])

    def ib_a():
        raw = iban()
        v = pick(raw, iban_grouped(raw))
        return v, pick(f"{prefix()}SEPA transfer to IBAN {v} amount=120.00 EUR",
                       json.dumps({"beneficiary": {"name": f"{pick(*FIRST).title()} {pick(*LAST).title()}", "iban": v}}),
                       f"{prefix()}iban={v}", f"<IBAN>{v}</IBAN>", f"  iban: {v}",
                       f"{prefix()}Kontoverbindung: {v} (BIC DEUTDEFFXXX)", f"{prefix()}payout failed for account {v}")

    family("iban", 16, [ib_a])


def main():
    aws_access_key_lines()
    aws_secret_lines()
    gcp_lines()
    azure_lines()
    vcs_lines()
    registry_lines()
    ai_lines()
    jwt_lines()
    private_key_lines()
    password_lines()
    dsn_lines()
    http_lines()
    oauth_lines()
    observability_lines()
    generic_lines()
    pii_lines()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "positives.tsv")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("# logsieve secret/PII evaluation corpus: positives. Generated by gen_corpus.py (seed 20261207); all values\n")
        f.write("# are fake. Columns (tab-separated): family, values, line. values: the texts that must not survive\n")
        f.write("# redaction, separated by U+241F (\u241f). line: the log text; U+2424 (\u2424) separates the physical lines of a\n")
        f.write("# multi-line entry, U+2409 (\u2409) stands for a tab; backslashes are literal. Lines starting with # are comments.\n")
        for fam, values, line in ROWS:
            f.write(f"{fam}\t{values}\t{line}\n")
    fams = {}
    for fam, _, _ in ROWS:
        fams[fam] = fams.get(fam, 0) + 1
    print(f"{len(ROWS)} lines, {len(fams)} families -> {out}")


if __name__ == "__main__":
    main()
