//! The catalogue of secrets: what a credential looks like in a log line, found from a keyword.
//!
//! Every rule starts from a keyword that an Aho-Corasick automaton finds (ASCII case-insensitive); the rule's
//! locator then confirms the secret around that keyword and returns the span to mask. Keeping the keyword step
//! separate lets the analyzer fold these keywords into its one per-event scan.
//!
//! The catalogue was written after reading gitleaks' MIT-licensed rule set (`config/gitleaks.toml`) for which
//! token shapes exist; the expressions here are our own and deliberately narrower (anchored at a prefix, with
//! word boundaries) so that a log line costs little and ordinary words are not masked.

use logsieve_engine::Severity;
use regex::Regex;
use std::sync::OnceLock;

/// Whether a hit is a credential or personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Secret,
    Pii,
}

/// One secret or personal datum found in a text: the byte span to mask and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// The type, as written in the mask: `aws-key` gives `<secret:aws-key>`, `email` gives `<email>`.
    pub label: &'static str,
    pub class: Class,
    pub severity: Severity,
}

impl Hit {
    /// The mask that replaces the hit: `<secret:LABEL>` or `<LABEL>`.
    pub fn mask(&self) -> String {
        match self.class {
            Class::Secret => format!("<secret:{}>", self.label),
            Class::Pii => format!("<{}>", self.label),
        }
    }
}

/// A token rule: a regex anchored at the keyword's start.
struct ReRule {
    keywords: &'static [&'static str],
    /// Anchored with `^`; capture group 1, when present, is the part masked.
    re: &'static str,
    label: &'static str,
    severity: Severity,
    /// The byte before the keyword must not be a word byte.
    boundary_before: bool,
    /// The byte after the match must not be a word byte.
    boundary_after: bool,
    check: Option<fn(&str) -> bool>,
    /// The token starts up to this many bytes before its keyword (`…Q~…`, `…-us12`, `….atlasv1.…`): the match
    /// is anchored where the run of token bytes before the keyword starts, at most this far back.
    back: usize,
}

use Severity::{Critical, High, Medium};

/// The defaults of a token rule: a keyword that starts the token, word boundaries on both sides.
const TOKEN: ReRule = ReRule {
    keywords: &[],
    re: "",
    label: "",
    severity: Critical,
    boundary_before: true,
    boundary_after: true,
    check: None,
    back: 0,
};

static RE_RULES: &[ReRule] = &[
    ReRule {
        keywords: &["akia", "asia", "abia", "acca"],
        re: r"^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        label: "aws-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["aiza"],
        re: r"^AIza[0-9A-Za-z_\-]{35}",
        label: "gcp-api-key",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        re: r"^gh[pousr]_[A-Za-z0-9]{30,255}",
        label: "github-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["github_pat_"],
        re: r"^github_pat_[A-Za-z0-9_]{22,255}",
        label: "github-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-"],
        re: r"^gl(?:pat|dt|rt|ptt|soat|cbt)-[A-Za-z0-9_\-]{20,255}",
        label: "gitlab-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["xox"],
        re: r"^xox[abeposr](?:\.[a-z0-9]{1,32})?-[0-9A-Za-z\-]{10,255}",
        label: "slack-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["xapp-"],
        re: r"^xapp-\d-[A-Z0-9]{1,32}-\d{1,32}-[a-z0-9]{1,255}",
        label: "slack-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["hooks.slack.com"],
        re: r"^hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/_\-]{20,255})",
        label: "slack-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["/api/webhooks/"],
        re: r"^/api/webhooks/(\d{5,30}/[A-Za-z0-9_\-]{20,255})",
        label: "discord-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["webhook.office.com"],
        re: r"^webhook\.office\.com/webhookb2/([^\s\x22'<>]{20,1024})",
        label: "teams-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["oapi.dingtalk.com"],
        re: r"^oapi\.dingtalk\.com/robot/send\?access_token=([0-9A-Za-z]{20,255})",
        label: "dingtalk-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["qyapi.weixin.qq.com"],
        re: r"^qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=([0-9A-Za-z\-]{20,255})",
        label: "wecom-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["/open-apis/bot/v2/hook/"],
        re: r"^/open-apis/bot/v2/hook/([0-9A-Za-z\-]{20,255})",
        label: "feishu-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["api.telegram.org/bot"],
        re: r"^api\.telegram\.org/bot(\d{6,12}:[A-Za-z0-9_\-]{30,255})",
        label: "telegram-token",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sk_live_", "rk_live_"],
        re: r"^[sr]k_live_[0-9A-Za-z]{16,255}",
        label: "stripe-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sk_test_", "rk_test_"],
        re: r"^[sr]k_test_[0-9A-Za-z]{16,255}",
        label: "stripe-test-key",
        severity: Medium,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["whsec_"],
        re: r"^whsec_[A-Za-z0-9+/=]{24,255}",
        label: "stripe-webhook-secret",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sk-"],
        re: r"^sk-ant-[A-Za-z0-9_\-]{20,255}",
        label: "anthropic-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sk-"],
        re: r"^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,255}",
        label: "openai-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: Some(mixed_alnum),
        back: 0,
    },
    ReRule {
        keywords: &["gsk_"],
        re: r"^gsk_[A-Za-z0-9]{40,255}",
        label: "groq-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["hf_"],
        re: r"^hf_[A-Za-z0-9]{30,255}",
        label: "huggingface-token",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: Some(mixed_case),
        back: 0,
    },
    ReRule {
        keywords: &["pplx-"],
        re: r"^pplx-[A-Za-z0-9]{40,255}",
        label: "perplexity-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["xai-"],
        re: r"^xai-[A-Za-z0-9]{60,255}",
        label: "xai-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["npm_"],
        re: r"^npm_[A-Za-z0-9]{36}",
        label: "npm-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["pypi-"],
        re: r"^pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,255}",
        label: "pypi-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["dckr_pat_"],
        re: r"^dckr_pat_[A-Za-z0-9_\-]{20,255}",
        label: "docker-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sg."],
        re: r"^SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}",
        label: "sendgrid-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["hvs.", "hvb."],
        re: r"^hv[sb]\.[A-Za-z0-9_\-]{24,255}",
        label: "vault-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["ltai"],
        re: r"^LTAI[A-Za-z0-9]{12,20}",
        label: "alibaba-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["akid"],
        re: r"^AKID[A-Za-z0-9]{13,40}",
        label: "tencent-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: Some(has_digit),
        back: 0,
    },
    ReRule {
        keywords: &["shpat_", "shpss_", "shpca_", "shppa_"],
        re: r"^shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}",
        label: "shopify-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["sq0atp-", "sq0csp-"],
        re: r"^sq0(?:atp|csp)-[0-9A-Za-z\-_]{22,255}",
        label: "square-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["nrak-"],
        re: r"^NRAK-[A-Z0-9]{27}",
        label: "newrelic-key",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
        back: 0,
    },
    ReRule {
        keywords: &["thin:"],
        re: r"^thin:[^/\s@:]{1,64}/([^@\s/]{1,128})@",
        label: "password",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
        back: 0,
    },
    // --- Families after gitleaks' rule list and detect-secrets' plugins; each shape is the issuer's documented
    // format (prefix, alphabet, length), cited per record.
    // Bitbucket app password (Atlassian: "ATBB" + 32).
    ReRule {
        keywords: &["atbb"],
        re: r"^ATBB[A-Za-z0-9_=.\-]{32,64}",
        label: "bitbucket-token",
        ..TOKEN
    },
    // Atlassian API token (id.atlassian.com, "ATATT3" + ~186).
    ReRule {
        keywords: &["atatt"],
        re: r"^ATATT3[A-Za-z0-9_\-=]{60,255}",
        label: "atlassian-token",
        ..TOKEN
    },
    // Twilio API key SID "SK" + 32 hex; account SID "AC" + 32 hex (Twilio docs, "API keys").
    ReRule {
        keywords: &["sk"],
        re: r"^SK[0-9a-fA-F]{32}",
        label: "twilio-key",
        check: Some(has_digit),
        ..TOKEN
    },
    ReRule {
        keywords: &["ac"],
        re: r"^AC[0-9a-f]{32}",
        label: "twilio-sid",
        severity: High,
        check: Some(has_digit),
        ..TOKEN
    },
    // Mailgun private API key "key-" + 32 hex, webhook signing "pubkey-".
    ReRule {
        keywords: &["key-", "pubkey-"],
        re: r"^(?:pub)?key-[0-9a-zA-Z]{32}",
        label: "mailgun-key",
        check: Some(has_digit),
        ..TOKEN
    },
    // Mailchimp API key: 32 hex then the data centre "-us12".
    ReRule {
        keywords: &["-us"],
        re: r"^[0-9a-f]{32}-us\d{1,2}",
        label: "mailchimp-key",
        back: 32,
        ..TOKEN
    },
    // NuGet API key "oy2" + 43.
    ReRule {
        keywords: &["oy2"],
        re: r"^oy2[a-z0-9]{43}",
        label: "nuget-key",
        check: Some(has_digit),
        ..TOKEN
    },
    // Heroku platform API key (new format "HRKU-" + 60).
    ReRule {
        keywords: &["hrku-"],
        re: r"^HRKU-[A-Za-z0-9_\-]{20,80}",
        label: "heroku-key",
        ..TOKEN
    },
    // DigitalOcean personal access / OAuth / refresh tokens: "dop_v1_", "doo_v1_", "dor_v1_" + 64 hex.
    ReRule {
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        re: r"^do[opr]_v1_[a-f0-9]{64}",
        label: "digitalocean-token",
        ..TOKEN
    },
    // Square production access token "EAAA" + 60 (before Facebook's "EAA").
    ReRule {
        keywords: &["eaaa"],
        re: r"^EAAA[A-Za-z0-9_\-]{60}",
        label: "square-token",
        ..TOKEN
    },
    // Facebook / Meta access token "EAA" + long base62 (Graph API user and page tokens).
    ReRule {
        keywords: &["eaa"],
        re: r"^EAA[A-Za-z0-9]{80,255}",
        label: "facebook-token",
        severity: High,
        ..TOKEN
    },
    // PayPal Braintree access token "access_token$production$…$…".
    ReRule {
        keywords: &["access_token$"],
        re: r"^access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}",
        label: "braintree-token",
        ..TOKEN
    },
    // Linear API key "lin_api_" + 40.
    ReRule {
        keywords: &["lin_api_"],
        re: r"^lin_api_[A-Za-z0-9]{40}",
        label: "linear-key",
        ..TOKEN
    },
    // Notion integration tokens "secret_" + 43 (legacy) and "ntn_" + 46.
    ReRule {
        keywords: &["secret_"],
        re: r"^secret_[A-Za-z0-9]{43}",
        label: "notion-token",
        check: Some(mixed_alnum),
        ..TOKEN
    },
    ReRule {
        keywords: &["ntn_"],
        re: r"^ntn_[0-9]{11}[A-Za-z0-9]{35}",
        label: "notion-token",
        ..TOKEN
    },
    // Postman API key "PMAK-" 24 hex "-" 34 hex.
    ReRule {
        keywords: &["pmak-"],
        re: r"^PMAK-[a-f0-9]{24}-[a-f0-9]{34}",
        label: "postman-key",
        ..TOKEN
    },
    // Databricks personal access token "dapi" + 32 hex (optional "-N").
    ReRule {
        keywords: &["dapi"],
        re: r"^dapi[a-f0-9]{32}(?:-\d)?",
        label: "databricks-token",
        check: Some(has_digit),
        ..TOKEN
    },
    // Doppler tokens "dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit." + 40-44.
    ReRule {
        keywords: &[
            "dp.pt.",
            "dp.st.",
            "dp.sa.",
            "dp.ct.",
            "dp.scim.",
            "dp.audit.",
        ],
        re: r"^dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_\-]{40,64}",
        label: "doppler-token",
        ..TOKEN
    },
    // Vault: service/batch/recovery tokens "hvs."/"hvb."/"hvr." (Vault 1.10 token formats).
    ReRule {
        keywords: &["hvr."],
        re: r"^hvr\.[A-Za-z0-9_\-]{24,255}",
        label: "vault-token",
        ..TOKEN
    },
    // Terraform Cloud / HCP API token: 14 chars ".atlasv1." 60-70.
    ReRule {
        keywords: &[".atlasv1."],
        re: r"^[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}",
        label: "terraform-token",
        back: 14,
        ..TOKEN
    },
    // Grafana Cloud API token "glc_" + base64, service account token "glsa_" 32 "_" 8 hex.
    ReRule {
        keywords: &["glc_"],
        re: r"^glc_[A-Za-z0-9+/]{32,400}={0,2}",
        label: "grafana-token",
        ..TOKEN
    },
    ReRule {
        keywords: &["glsa_"],
        re: r"^glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}",
        label: "grafana-token",
        ..TOKEN
    },
    // New Relic: user API key "NRAK-", insights insert "NRII-", browser "NRJS-" (New Relic docs, "API keys").
    ReRule {
        keywords: &["nrii-", "nrjs-", "nraa-"],
        re: r"^NR(?:II|JS|AA)-[A-Za-z0-9_\-]{19,40}",
        label: "newrelic-key",
        severity: High,
        ..TOKEN
    },
    // Sentry org and user auth tokens "sntrys_" / "sntryu_".
    ReRule {
        keywords: &["sntrys_"],
        re: r"^sntrys_eyJ[A-Za-z0-9_=+/\-]{30,400}",
        label: "sentry-token",
        ..TOKEN
    },
    ReRule {
        keywords: &["sntryu_"],
        re: r"^sntryu_[a-f0-9]{64}",
        label: "sentry-token",
        ..TOKEN
    },
    // Hugging Face organisation token "api_org_" + 34.
    ReRule {
        keywords: &["api_org_"],
        re: r"^api_org_[A-Za-z0-9]{30,40}",
        label: "huggingface-token",
        ..TOKEN
    },
    // Replicate API token "r8_" + 37.
    ReRule {
        keywords: &["r8_"],
        re: r"^r8_[A-Za-z0-9]{37}",
        label: "replicate-token",
        check: Some(mixed_alnum),
        ..TOKEN
    },
    // Google OAuth 2.0: access token "ya29.", client secret "GOCSPX-" + 28, refresh token "1//0" + base64url.
    ReRule {
        keywords: &["ya29."],
        re: r"^ya29\.[0-9A-Za-z_\-]{20,2048}",
        label: "google-oauth-token",
        ..TOKEN
    },
    ReRule {
        keywords: &["gocspx-"],
        re: r"^GOCSPX-[A-Za-z0-9_\-]{28}",
        label: "google-client-secret",
        ..TOKEN
    },
    ReRule {
        keywords: &["1//0"],
        re: r"^1//0[0-9A-Za-z_\-]{30,512}",
        label: "google-refresh-token",
        ..TOKEN
    },
    // age encryption secret key "AGE-SECRET-KEY-1" + 58 Bech32.
    ReRule {
        keywords: &["age-secret-key-1"],
        re: r"^AGE-SECRET-KEY-1[0-9A-Z]{58}",
        label: "age-key",
        ..TOKEN
    },
    // Azure AD (Entra) client secret: 3 chars, a digit, "Q~", 31-34 (Microsoft identity platform).
    ReRule {
        keywords: &["q~"],
        re: r"^[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.\-]{31,34}",
        label: "azure-client-secret",
        back: 4,
        boundary_after: false,
        ..TOKEN
    },
    // Telegram bot token: bot id, ":", "AA" + 33 (Bot API docs).
    ReRule {
        keywords: &[":aa"],
        re: r"^\d{8,10}:AA[A-Za-z0-9_\-]{33}",
        label: "telegram-token",
        back: 10,
        ..TOKEN
    },
    // Twitter/X app-only bearer token: 22 "A"s then base62 and %-escapes.
    ReRule {
        keywords: &["aaaaaaaaaaaaaaaaaaaaaa"],
        re: r"^A{22}[A-Za-z0-9%]{30,255}",
        label: "twitter-token",
        ..TOKEN
    },
    // Artifactory API key "AKC" + 69, reference token "cmVmdGtuOjAxOj" (detect-secrets ArtifactoryDetector).
    ReRule {
        keywords: &["akc"],
        re: r"^AKC[a-zA-Z0-9]{10,80}",
        label: "artifactory-key",
        check: Some(has_digit),
        ..TOKEN
    },
    ReRule {
        keywords: &["cmvmdgtuojaxoj"],
        re: r"^cmVmdGtuOjAxOj[A-Za-z0-9]{40,80}",
        label: "artifactory-key",
        ..TOKEN
    },
    // PyPI upload token already above; Shopify custom-app and partner tokens "shpca_", "shppa_" above. Discord
    // bot token: base64 user id "M|N|O…" . 6 . 27-38 (Discord developer docs).
    ReRule {
        keywords: &["discord"],
        re: r"^discord.{0,200}?\b([MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6,7}\.[A-Za-z0-9_\-]{27,38})",
        label: "discord-token",
        boundary_after: false,
        ..TOKEN
    },
    // Slack app-level, config and refresh tokens "xoxe.xoxp-", "xoxe-".
    ReRule {
        keywords: &["xoxe"],
        re: r"^xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,255}",
        label: "slack-token",
        ..TOKEN
    },
    // GitLab runner registration, feed, incoming-mail, OAuth app and agent tokens.
    ReRule {
        keywords: &[
            "gr1348941",
            "glft-",
            "glimt-",
            "gloas-",
            "glagent-",
            "glcbt-",
        ],
        re: r"^(?:GR1348941|glft-|glimt-|gloas-|glagent-|glcbt-)[A-Za-z0-9_\-]{20,255}",
        label: "gitlab-token",
        ..TOKEN
    },
];

/// Locators that are not a single regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    Pem,
    UrlCreds,
    Pair,
    Authorization,
    Bearer,
    Email,
    Jwt,
    Cli,
    GoDsn,
}

static SPECIAL: &[(&str, Special)] = &[
    ("-----begin", Special::Pem),
    ("://", Special::UrlCreds),
    ("pass", Special::Pair),
    ("pwd", Special::Pair),
    ("secret", Special::Pair),
    ("token", Special::Pair),
    ("apikey", Special::Pair),
    ("api_key", Special::Pair),
    ("api-key", Special::Pair),
    ("accesskey", Special::Pair),
    ("access_key", Special::Pair),
    ("access-key", Special::Pair),
    ("accountkey", Special::Pair),
    ("privatekey", Special::Pair),
    ("private_key", Special::Pair),
    ("credential", Special::Pair),
    ("authkey", Special::Pair),
    ("auth_key", Special::Pair),
    ("sig=", Special::Pair),
    ("signature", Special::Pair),
    ("sess", Special::Pair),
    ("sid=", Special::Pair),
    ("key", Special::Pair),
    ("cred", Special::Pair),
    ("pw", Special::Pair),
    ("psk", Special::Pair),
    ("auth", Special::Pair),
    ("htpasswd", Special::Cli),
    ("authorization", Special::Authorization),
    ("bearer", Special::Bearer),
    ("@", Special::Email),
    ("%40", Special::Email),
    ("eyj", Special::Jwt),
    ("mysql", Special::Cli),
    ("mariadb", Special::Cli),
    ("sshpass", Special::Cli),
    ("redis-cli", Special::Cli),
    ("curl", Special::Cli),
    ("wget", Special::Cli),
    ("net", Special::Cli),
    ("@tcp(", Special::GoDsn),
    ("@unix(", Special::GoDsn),
];

#[derive(Debug, Clone, Copy)]
enum Loc {
    Re(usize),
    Special(Special),
}

/// The compiled catalogue.
pub struct Catalog {
    /// Keywords (lowercase ASCII), in the order of their ids.
    pub keywords: Vec<&'static str>,
    /// For each keyword, the locators to try.
    locs: Vec<Vec<Loc>>,
    /// For each keyword, its locators and those of the keywords it starts with.
    with_prefixes: Vec<Vec<Loc>>,
    /// Compiled on first use.
    regexes: Vec<OnceLock<Regex>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new()
    }
}

impl Catalog {
    pub fn new() -> Catalog {
        let mut keywords: Vec<&'static str> = Vec::new();
        let mut locs: Vec<Vec<Loc>> = Vec::new();
        let mut add = |kw: &'static str, loc: Loc| match keywords.iter().position(|k| *k == kw) {
            Some(i) => locs[i].push(loc),
            None => {
                keywords.push(kw);
                locs.push(vec![loc]);
            }
        };
        for (i, r) in RE_RULES.iter().enumerate() {
            for kw in r.keywords {
                add(kw, Loc::Re(i));
            }
        }
        for (kw, s) in SPECIAL {
            add(kw, Loc::Special(*s));
        }
        // A search that reports one keyword per position (leftmost-longest, as the analyzer's) finds `secret_`
        // where `secret` starts too: a keyword also carries the locators of the keywords it starts with.
        let with_prefixes = keywords
            .iter()
            .map(|k| {
                let mut l: Vec<Loc> = Vec::new();
                for (j, k2) in keywords.iter().enumerate() {
                    if k.starts_with(k2) {
                        l.extend(locs[j].iter().copied());
                    }
                }
                l
            })
            .collect();
        let regexes = RE_RULES.iter().map(|_| OnceLock::new()).collect();
        Catalog {
            keywords,
            locs,
            with_prefixes,
            regexes,
        }
    }

    /// Confirms the secret(s) around keyword `kw` found at `ks..ke` in `text`; pushes what it finds.
    ///
    /// One call does a bounded amount of work (every locator reads a bounded window, or pushes a hit over what
    /// it read). [`Catalog::locate_all`] keeps state across the keywords of a text and is linear in its length.
    ///
    /// For a search that reports one keyword per position (leftmost-longest): the locators of the keywords it
    /// starts with run too.
    pub fn locate(&self, text: &str, kw: usize, ks: usize, ke: usize, out: &mut Vec<Hit>) {
        self.locate_in(
            text,
            &self.with_prefixes[kw],
            ks,
            ke,
            &mut Memo::default(),
            out,
        );
    }

    /// Confirms the secrets around every keyword occurrence `(keyword id, start, end)` (in order of start, every
    /// occurrence: an overlapping search) of `text`. A keyword inside a secret already found is skipped, so that the work is linear in the text's
    /// length (a locator that reads far pushes a hit over what it read).
    pub fn locate_all(
        &self,
        text: &str,
        kws: impl Iterator<Item = (usize, usize, usize)>,
        out: &mut Vec<Hit>,
    ) {
        let mut memo = Memo::default();
        for (kw, ks, ke) in kws {
            self.locate_in(text, &self.locs[kw], ks, ke, &mut memo, out);
        }
    }

    fn locate_in(
        &self,
        text: &str,
        locs: &[Loc],
        ks: usize,
        ke: usize,
        memo: &mut Memo,
        out: &mut Vec<Hit>,
    ) {
        // A keyword inside a secret already masked adds nothing (and re-reading the secret would make a line of
        // repeated keywords quadratic).
        let covered = ks < memo.covered_end && ks >= memo.covered_start;
        for loc in locs {
            // Token shapes still run inside a generic hit (`https://user:ghp_…@host` is a GitHub token, not just
            // a password); their cost per keyword is bounded.
            if covered && !matches!(loc, Loc::Re(_) | Loc::Special(Special::Jwt)) {
                continue;
            }
            let before = out.len();
            match *loc {
                Loc::Re(i) => {
                    // A token shape is at most TOKEN_MAX bytes and ends where the token bytes end: from a start
                    // followed by a longer run of token bytes, no token ends at a boundary. Runs are measured
                    // once, so a line of `sk-sk-sk-…` costs linear time (and not one regex per `sk-`).
                    if RE_RULES[i].boundary_after
                        && memo.token_run_end(text.as_bytes(), ks) - ks > TOKEN_MAX
                    {
                        continue;
                    }
                    self.locate_re(text, i, ks, out)
                }
                Loc::Special(Special::Pem) => locate_pem(text, ks, memo, out),
                Loc::Special(Special::UrlCreds) => locate_url_creds(text, ks, ke, out),
                Loc::Special(Special::Pair) => locate_pair(text, ks, ke, out),
                Loc::Special(Special::Authorization) => locate_authorization(text, ks, ke, out),
                Loc::Special(Special::Bearer) => locate_bearer(text, ks, ke, out),
                Loc::Special(Special::Email) => locate_email(text, ks, ke, out),
                Loc::Special(Special::Jwt) => locate_jwt(text, ks, out),
                Loc::Special(Special::Cli) => locate_cli(text, ks, ke, memo, out),
                Loc::Special(Special::GoDsn) => locate_go_dsn(text, ks, out),
            }
            if out.len() > before {
                for h in &out[before..] {
                    if h.end > memo.covered_end || memo.covered_end <= ks {
                        memo.covered_start = h.start.min(ks);
                        memo.covered_end = h.end;
                    }
                }
                return;
            }
        }
    }

    fn locate_re(&self, text: &str, i: usize, ks: usize, out: &mut Vec<Hit>) {
        let rule = &RE_RULES[i];
        let b = text.as_bytes();
        // A token whose keyword is inside it starts where the run of token bytes before the keyword does.
        let mut ks = ks;
        if rule.back > 0 {
            let mut a = ks;
            while a > 0
                && ks - a < rule.back
                && (is_token_byte(b[a - 1]) || matches!(b[a - 1], b'~' | b'.'))
            {
                a -= 1;
            }
            ks = a;
        }
        // A token follows a non-word byte or a URL-encoded byte (`%3Dghp_…`).
        let encoded_before = ks >= 3
            && b[ks - 3] == b'%'
            && b[ks - 2].is_ascii_hexdigit()
            && b[ks - 1].is_ascii_hexdigit();
        if rule.boundary_before && ks > 0 && crate::text::is_word_byte(b[ks - 1]) && !encoded_before
        {
            return;
        }
        // Every rule's quantifiers are bounded, so a match is shorter than the window; reading a window (and not
        // the rest of the line) bounds the cost of one attempt whatever engine the regex crate picks.
        let hay = crate::text::cut(&text[ks..], RE_WINDOW);
        crate::work::add(hay.len().min(RE_WINDOW_TYPICAL) as u64);
        let re = self.regexes[i].get_or_init(|| Regex::new(rule.re).expect("secret rule regex"));
        let (whole_end, group) = if re.captures_len() > 1 {
            let Some(caps) = re.captures(hay) else {
                return;
            };
            let whole = caps.get(0).expect("group 0");
            (whole.end(), caps.get(1).map(|g| (g.start(), g.end())))
        } else {
            let Some(m) = re.find(hay) else {
                return;
            };
            (m.end(), None)
        };
        let end = ks + whole_end;
        if rule.boundary_after && end < b.len() && crate::text::is_word_byte(b[end]) {
            return;
        }
        let (s, e) = match group {
            Some((gs, ge)) => (ks + gs, ks + ge),
            None => (ks, end),
        };
        if let Some(check) = rule.check {
            if !check(&text[s..e]) {
                return;
            }
        }
        out.push(Hit {
            start: s,
            end: e,
            label: rule.label,
            class: Class::Secret,
            severity: rule.severity,
        });
    }
}

/// The longest text a token regex is run on (every rule's match is shorter: its quantifiers are bounded).
const RE_WINDOW: usize = 2100;
/// What one regex attempt is counted as in the work counter (a bounded match reads about this much).
const RE_WINDOW_TYPICAL: usize = 300;

/// The longest token any boundary-checked regex rule matches (prefix included).
const TOKEN_MAX: usize = 2100;

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Memo {
    /// The end of the run of token bytes (`[A-Za-z0-9_-]`) that `ks` is in; each run is read once.
    fn token_run_end(&mut self, b: &[u8], ks: usize) -> usize {
        if !(self.token_run.0 <= ks && ks < self.token_run.1) {
            self.token_run = (ks, run_end(b, ks, is_token_byte).max(ks + 1));
        }
        self.token_run.1
    }
}

/// What the locators learnt on the keywords of one text so far.
#[derive(Debug, Default)]
struct Memo {
    /// The span of the last secret found: keywords inside it are skipped.
    covered_start: usize,
    covered_end: usize,
    /// The last run of token bytes measured.
    token_run: (usize, usize),
    /// Where the last command line read for password flags ended.
    cli_end: usize,
    /// The last search for a PEM END marker: where it started and where it found one.
    pem_end: Option<(usize, Option<usize>)>,
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// The end of the run of bytes in `class` starting at `s`.
fn run_end(b: &[u8], s: usize, class: fn(u8) -> bool) -> usize {
    let mut e = s;
    while e < b.len() && class(b[e]) {
        e += 1;
    }
    crate::work::add((e - s) as u64);
    e
}

/// A JSON Web Token (RFC 7519, compact serialisation of RFC 7515): `BASE64URL(header).BASE64URL(payload).
/// BASE64URL(signature)`; header and payload are JSON objects, so both start `eyJ` (`{"`). An unsecured token
/// (RFC 7519 §6, empty signature) still carries its claims and is masked too.
fn locate_jwt(text: &str, ks: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // A token starts a run of base64url bytes, so runs are read once each (and the payload and signature at
    // most three times, as the header, payload and signature of the tokens around them): linear.
    if (ks > 0 && is_b64url(b[ks - 1])) || b.get(ks..ks + 3) != Some(b"eyJ") {
        return;
    }
    let he = run_end(b, ks, is_b64url);
    if he - ks < 10 {
        return;
    }
    if let Some(end) = jwt_tail(b, he) {
        out.push(Hit {
            start: ks,
            end,
            label: "jwt",
            class: Class::Secret,
            severity: High,
        });
    }
}

/// After a JWT header ending at `he`: `.eyJ…` (payload) `.` then the signature; the token's end.
fn jwt_tail(b: &[u8], he: usize) -> Option<usize> {
    if b.get(he) != Some(&b'.') || b.get(he + 1..he + 4) != Some(b"eyJ") {
        return None;
    }
    let pe = run_end(b, he + 1, is_b64url);
    if pe - (he + 1) < 10 || b.get(pe) != Some(&b'.') {
        return None;
    }
    Some(run_end(b, pe + 1, is_b64url))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn mixed_alnum(s: &str) -> bool {
    has_digit(s) && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn mixed_case(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------------------------
// PEM private keys.

const PEM_END: &str = "-----END";

/// `-----BEGIN ... PRIVATE KEY-----` then the body up to `-----END`: each body line is masked on its own, so
/// that a multi-line text keeps its lines.
fn locate_pem(text: &str, ks: usize, memo: &mut Memo, out: &mut Vec<Hit>) {
    let rest = &text[ks..];
    // The marker: `-----BEGIN ` words `PRIVATE KEY` [` BLOCK`] `-----`, at most 80 bytes.
    let Some(close) = crate::text::cut(&rest[10..], 80)
        .find("-----")
        .map(|i| i + 10)
    else {
        return;
    };
    crate::work::add(close as u64);
    let marker = &rest[..close];
    let upper = marker.to_ascii_uppercase();
    if !upper.contains("PRIVATE KEY") {
        return;
    }
    let body_start = ks + close + 5;
    // The next END marker; a search made for an earlier BEGIN answers for every BEGIN before what it found.
    let end_at = match memo.pem_end {
        Some((from, found)) if from <= body_start && found.is_none_or(|f| body_start <= f) => found,
        _ => {
            let found = text[body_start..].find(PEM_END).map(|e| body_start + e);
            crate::work::add((found.unwrap_or(text.len()) - body_start) as u64);
            memo.pem_end = Some((body_start, found));
            found
        }
    };
    let body_end = match end_at {
        Some(e) => e,
        None => pem_body_end_without_marker(text, body_start),
    };
    if body_end <= body_start {
        return;
    }
    let mut pos = body_start;
    for seg in text[body_start..body_end].split('\n') {
        let s = pos;
        pos += seg.len() + 1;
        let trimmed_start = seg.len() - seg.trim_start().len();
        let t = seg.trim();
        if t.is_empty() {
            continue;
        }
        let a = s + trimmed_start;
        out.push(Hit {
            start: a,
            end: a + t.len(),
            label: "private-key",
            class: Class::Secret,
            severity: Critical,
        });
    }
}

/// Without an END marker: the body runs over the following lines that look like base64 (or PEM headers); on the
/// marker's own line, up to a quote (a key inside a JSON string with `\n` escapes).
fn pem_body_end_without_marker(text: &str, body_start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = body_start;
    // Rest of the marker's line.
    while i < b.len() && b[i] != b'\n' {
        if b[i] == b'"' || b[i] == b'\'' {
            return i;
        }
        i += 1;
    }
    let mut end = i;
    while i < b.len() {
        let ls = i + 1;
        let le = memchr::memchr(b'\n', &b[ls.min(b.len())..])
            .map(|x| ls + x)
            .unwrap_or(b.len());
        if ls >= b.len() {
            break;
        }
        let line = &text[ls..le];
        if !looks_like_pem_body_line(line) {
            break;
        }
        end = le;
        i = le;
    }
    end
}

/// A line of a PEM body: base64 characters (at least 16), or a `Proc-Type:`/`DEK-Info:` header.
pub fn looks_like_pem_body_line(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with("Proc-Type:") || t.starts_with("DEK-Info:") {
        return true;
    }
    t.len() >= 16
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=')
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials in URLs: `scheme://user:password@host`.

fn locate_url_creds(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // A scheme before `://`.
    let mut s = ks;
    while s > 0
        && ks - s < 32
        && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'+' | b'.' | b'-'))
    {
        s -= 1;
    }
    if ks - s < 2 || !b[s].is_ascii_alphabetic() {
        return;
    }
    let mut i = ke;
    let mut at = None;
    let mut colon = None;
    while i < b.len() {
        match b[i] {
            b'/' | b'?' | b'#' | b' ' | b'\t' | b'\n' | b'"' | b'\'' | b'<' | b'>' | b'`' => break,
            b'@' => at = Some(i),
            b':' if colon.is_none() && at.is_none() => colon = Some(i),
            _ => {}
        }
        i += 1;
        // Scans stop at the next `://` (its `/`), so they never overlap: linear without a cap.
    }
    crate::work::add((i - ke) as u64);
    let Some(at) = at else {
        return;
    };
    let Some(colon) = colon.filter(|c| *c < at) else {
        // `https://TOKEN@host` (a Sentry DSN's key, a Git token as the user name): a user name that is a token
        // (16 bytes or more of letters and digits, both) is the credential.
        let user = &b[ke..at];
        if user.len() >= 16
            && user.iter().all(|c| is_token_byte(*c))
            && user.iter().any(|c| c.is_ascii_digit())
            && user.iter().any(|c| c.is_ascii_alphabetic())
        {
            out.push(Hit {
                start: ke,
                end: at,
                label: "token",
                class: Class::Secret,
                severity: High,
            });
        }
        return;
    };
    let pw = &text[colon + 1..at];
    if pw.is_empty() || is_placeholder(pw) {
        return;
    }
    out.push(Hit {
        start: colon + 1,
        end: at,
        label: "password",
        class: Class::Secret,
        severity: High,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Passwords given as command-line flags of the tools that take one (their manuals): `mysql -pPASS` (no blank,
// MySQL/MariaDB client), `sshpass -p PASS`, `redis-cli -a PASS`, `curl -u user:PASS` / `--user`, `wget
// --password PASS`. `--password=…` and `--password …` of any tool are the pair rule's.

fn locate_cli(text: &str, ks: usize, ke: usize, memo: &mut Memo, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    if (ks > 0 && is_key_byte(b[ks - 1]) && b[ks - 1] != b'-') || ks < memo.cli_end {
        return;
    }
    let tool = &b[ks..ke];
    // The tool's name may go on (`mysqldump`, `mysqladmin`, `curl.exe`).
    let mut i = ke;
    while i < b.len() && is_key_byte(b[i]) && i - ke < 16 {
        i += 1;
    }
    // The command: up to a command separator or the end of the line, at most 1 KiB.
    let mut end = i;
    while end < b.len()
        && end - i < 1024
        && !matches!(b[end], b'\n' | b';' | b'|' | b'&' | b'`' | b'"')
    {
        end += 1;
    }
    // The 1 KiB cap may fall inside a character.
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    crate::work::add((end - ks) as u64);
    let args = &text[i..end];
    let mut words = args.split(' ').filter(|w| !w.is_empty()).peekable();
    // Windows `net use` / `net user` only (`net` is also a word); the other tools' commands are not read again.
    let net_command = tool
        .eq_ignore_ascii_case(b"net")
        .then(|| words.next().filter(|_| i == ke))
        .flatten()
        .map(str::to_ascii_lowercase);
    if tool.eq_ignore_ascii_case(b"net") && !matches!(net_command.as_deref(), Some("use" | "user"))
    {
        return;
    }
    memo.cli_end = end;
    let mut positional = 0;
    // Byte offset of a piece of `args` in `text`.
    let pos = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
    while let Some(w) = words.next() {
        let wb = w.as_bytes();
        let (value, label): (Option<&str>, &str) = match tool {
            t if t.eq_ignore_ascii_case(b"mysql") || t.eq_ignore_ascii_case(b"mariadb") => {
                // `-pPASS` (a bare `-p` prompts).
                if wb.len() > 2 && wb.starts_with(b"-p") {
                    (Some(&w[2..]), "password")
                } else {
                    (None, "")
                }
            }
            t if t.eq_ignore_ascii_case(b"sshpass") => {
                if w == "-p" {
                    (words.peek().copied(), "password")
                } else if wb.len() > 2 && wb.starts_with(b"-p") {
                    (Some(&w[2..]), "password")
                } else {
                    (None, "")
                }
            }
            t if t.eq_ignore_ascii_case(b"net") => {
                // `net use [DEVICE] \\HOST\SHARE [PASSWORD | *] [/user:[DOMAIN\]NAME] …` and `net user NAME
                // [PASSWORD | *] [/add] …` (Windows `net` reference): the password is a positional argument,
                // the third of `use` (after the device and the share, either of which may be left out) and the
                // second of `user`.
                if wb.starts_with(b"/") || w == "*" {
                    (None, "")
                } else if net_command.as_deref() == Some("use") {
                    let device = positional == 0 && (w.ends_with(':') && w.len() == 2);
                    let share = w.starts_with("\\\\") || w.starts_with("//");
                    positional += 1;
                    ((!device && !share).then_some(w), "password")
                } else {
                    positional += 1;
                    ((positional == 2).then_some(w), "password")
                }
            }
            t if t.eq_ignore_ascii_case(b"redis-cli") => {
                if w == "-a" || w == "--pass" {
                    (words.peek().copied(), "password")
                } else {
                    (None, "")
                }
            }
            t if t.eq_ignore_ascii_case(b"htpasswd") => {
                // `htpasswd -b[c] FILE USER PASSWORD`: the password is the last argument.
                let batch = args
                    .split(' ')
                    .any(|a| a.starts_with('-') && a.contains('b'));
                if batch && words.peek().is_none() && !wb.starts_with(b"-") {
                    (Some(w), "password")
                } else {
                    (None, "")
                }
            }
            _ => {
                // curl / wget: `-u user:pass`, `--user user:pass`, `--user=user:pass`, `-uuser:pass`.
                let v = if w == "-u" || w == "--user" || w == "--proxy-user" || w == "-U" {
                    words.peek().copied()
                } else if let Some(v) = w.strip_prefix("--user=") {
                    Some(v)
                } else if wb.len() > 2 && wb.starts_with(b"-u") {
                    Some(&w[2..])
                } else {
                    None
                };
                (
                    v.and_then(|v| v.split_once(':').map(|(_, p)| p)),
                    "password",
                )
            }
        };
        if let Some(v) = value {
            let v = v.trim_matches(|c| c == '\'' || c == '"');
            if !v.is_empty() && !is_placeholder(v) && !v.starts_with('-') && !v.starts_with('$') {
                let s = pos(v);
                out.push(Hit {
                    start: s,
                    end: s + v.len(),
                    label,
                    class: Class::Secret,
                    severity: High,
                });
            }
        }
    }
}

/// Go's MySQL driver DSN (`github.com/go-sql-driver/mysql`): `user:password@tcp(host:port)/db` or
/// `@unix(/path)`; the password runs from the user's `:` to the `@`.
fn locate_go_dsn(text: &str, at: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let mut s = at;
    while s > 0
        && at - s < 256
        && !matches!(
            b[s - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'=' | b'\n' | b'/' | b','
        )
    {
        s -= 1;
    }
    crate::work::add((at - s) as u64);
    let Some(colon) = b[s..at].iter().position(|c| *c == b':') else {
        return;
    };
    let ps = s + colon + 1;
    if ps >= at || is_placeholder(&text[ps..at]) {
        return;
    }
    out.push(Hit {
        start: ps,
        end: at,
        label: "password",
        class: Class::Secret,
        severity: High,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// `key = value` pairs whose key names a credential.

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// The words of a key that name a credential, with the label of what they name. A key names a credential when
/// one of these is its last credential word and no word after it says the value is about the credential rather
/// than the credential (`password_length`, `token_type`, `secret_ref`): `keyStorePassword`,
/// `DATA_SOURCE_PASSWORD`, `login_password`, `MYSQL_ROOT_PASSWORD`, `client_secret`, `X-Auth-Token` all do.
const CREDENTIAL_WORDS: &[(&str, &str)] = &[
    ("password", "password"),
    ("passwd", "password"),
    ("pwd", "password"),
    ("pass", "password"),
    ("pw", "password"),
    ("passphrase", "password"),
    ("passcode", "password"),
    ("passwort", "password"),
    ("contrasena", "password"),
    ("senha", "password"),
    ("motdepasse", "password"),
    ("secret", "secret"),
    ("secrets", "secret"),
    ("token", "token"),
    ("tokens", "token"),
    ("apikey", "api-key"),
    ("apitoken", "token"),
    ("accesskey", "access-key"),
    ("accountkey", "azure-storage-key"),
    ("privatekey", "private-key"),
    ("authkey", "api-key"),
    ("credential", "credential"),
    ("credentials", "credential"),
    ("cred", "credential"),
    ("creds", "credential"),
    ("sig", "signature"),
    ("signature", "signature"),
    ("sessionid", "session"),
    ("sessid", "session"),
    ("phpsessid", "session"),
    ("jsessionid", "session"),
    ("sid", "session"),
    ("session", "session"),
    ("sessiontoken", "session"),
    ("cookie", "session"),
    ("psk", "password"),
    ("storepass", "password"),
    ("keypass", "password"),
    ("srcstorepass", "password"),
    ("deststorepass", "password"),
    ("auth", "credential"),
];

/// Words before `key` that make it a credential (`secret_key`, `x-api-key`, `SharedAccessKey`, `client_key`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "account",
    "secret",
    "private",
    "shared",
    "app",
    "application",
    "client",
    "master",
    "signing",
    "encryption",
    "license",
    "licence",
    "auth",
    "consumer",
    "subscription",
    "sas",
    "storage",
    "service",
    "admin",
    "write",
    "read",
    "ingest",
    "integration",
    "server",
    "partner",
    "webhook",
    "hmac",
    "root",
    "user",
    "developer",
    "dev",
    "prod",
    "live",
    "test",
    "mgmt",
    "management",
    "primary",
    "secondary",
    "function",
    "host",
    "routing",
    "instrumentation",
    "rest",
    "customer",
    "merchant",
    "publishable",
    "restricted",
    "authorization",
    "sentry",
    "encryption",
    "crypto",
    "cipher",
    "aes",
    "jwt",
    "session",
    "cookie",
];

/// Words after a credential word that say the value is not the credential itself.
const NOT_A_VALUE: &[&str] = &[
    "length",
    "len",
    "min",
    "max",
    "policy",
    "expiry",
    "expires",
    "expired",
    "expiration",
    "reset",
    "hint",
    "changed",
    "required",
    "enabled",
    "enable",
    "disabled",
    "strength",
    "file",
    "path",
    "url",
    "uri",
    "type",
    "count",
    "attempts",
    "attempt",
    "age",
    "rule",
    "rules",
    "validator",
    "encoder",
    "field",
    "label",
    "prompt",
    "ttl",
    "endpoint",
    "name",
    "limit",
    "usage",
    "ids",
    "size",
    "timeout",
    "lifetime",
    "format",
    "mode",
    "algorithm",
    "alg",
    "version",
    "store",
    "manager",
    "provider",
    "header",
    "param",
    "location",
    "ref",
    "refs",
    "dir",
    "exists",
    "valid",
    "invalid",
    "missing",
    "set",
    "status",
    "state",
    "source",
    "method",
    "authentication",
    "prefix",
    "kind",
    "bucket",
    "scope",
    "scopes",
    "id",
    "timestamp",
    "time",
    "index",
    "idx",
    "key",
    "keys",
    "env",
    "var",
    "variable",
    "mount",
    "volume",
    "secretname",
    "arn",
    "cache",
    "created",
    "updated",
    "hash",
    "salt",
    "rotation",
    "rotated",
    "issued",
    "refresh",
    "domain",
    "http",
    "only",
    "httponly",
    "secure",
    "samesite",
];

/// What kind of credential a key names, if any. The key is split into lowercase words (`db.password`,
/// `clientSecret`, `X-Api-Key`, `AWS_SECRET_ACCESS_KEY`) without allocating.
pub(crate) fn classify_key(key: &str) -> Option<&'static str> {
    let kb = key.as_bytes();
    if kb.is_empty() || kb.len() > 64 {
        return None;
    }
    // `joined`: the key's letters and digits, lowercase; `words`: ranges of `joined`.
    let mut joined = [0u8; 64];
    let mut jl = 0usize;
    let mut words = [(0u8, 0u8); 12];
    let mut nw = 0usize;
    let mut start = 0usize;
    for (i, &c) in kb.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if jl > start {
                if nw == words.len() {
                    return None;
                }
                words[nw] = (start as u8, jl as u8);
                nw += 1;
            }
            start = jl;
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 && kb[i - 1].is_ascii_lowercase() && jl > start {
            if nw == words.len() {
                return None;
            }
            words[nw] = (start as u8, jl as u8);
            nw += 1;
            start = jl;
        }
        joined[jl] = c.to_ascii_lowercase();
        jl += 1;
    }
    if jl > start {
        if nw == words.len() {
            return None;
        }
        words[nw] = (start as u8, jl as u8);
        nw += 1;
    }
    if nw == 0 {
        return None;
    }
    let j = &joined[..jl];
    let word = |k: usize| &joined[words[k].0 as usize..words[k].1 as usize];
    let is = |k: usize, w: &str| word(k) == w.as_bytes();
    // The last word that names a credential (a qualified `key` counts: `secret_key`, `SharedAccessKey`).
    let mut found: Option<(usize, &'static str)> = None;
    for k in 0..nw {
        let w = word(k);
        let direct = CREDENTIAL_WORDS
            .iter()
            .find(|(cw, _)| cw.as_bytes() == w)
            .map(|(_, l)| *l)
            // `userpassword`, `dbpasswd`, `rootpwd`, `clientsecret`, `authtoken` written as one word.
            .or_else(|| {
                [
                    "password",
                    "passwd",
                    "secret",
                    "token",
                    "apikey",
                    "accesskey",
                    "sessionid",
                ]
                .iter()
                .find(|suffix| w.len() > suffix.len() && w.ends_with(suffix.as_bytes()))
                .map(|suffix| match *suffix {
                    "password" | "passwd" => "password",
                    "secret" => "secret",
                    "apikey" => "api-key",
                    "accesskey" => "access-key",
                    "sessionid" => "session",
                    _ => "token",
                })
            });
        let qualified_key = (w == b"key" || w == b"keys")
            && k > 0
            && KEY_QUALIFIERS
                .iter()
                .any(|q| is(k - 1, q) || (is(k - 1, "id") && k > 1 && is(k - 2, q)));
        let label = if let Some(l) = direct {
            Some(l)
        } else if qualified_key {
            Some(match word(k - 1) {
                b"private" => "private-key",
                b"account" | b"storage" => "azure-storage-key",
                b"access" if (0..k).any(|i| is(i, "shared")) => "azure-storage-key",
                b"access" => "access-key",
                b"secret" => "secret",
                _ => "api-key",
            })
        } else {
            None
        };
        if let Some(l) = label {
            found = Some((k, l));
        }
    }
    let (at, mut label) = found?;
    // `private_key_id` (a GCP service-account key's id) is not harmless, and neither is a `key_id` after
    // `secret`; any other describing word after the credential word is.
    let describing = (at + 1..nw).any(|k| NOT_A_VALUE.iter().any(|w| is(k, w)));
    let gcp_key_id =
        at + 2 == nw && is(at + 1, "id") && is(at, "key") && at > 0 && is(at - 1, "private");
    // `session_id`, `_session_id`: the id is the credential.
    let session_id = at + 2 == nw && is(at + 1, "id") && label == "session";
    if describing && !gcp_key_id && !session_id {
        return None;
    }
    if (0..nw).any(|k| is(k, "secret")) && j.windows(3).any(|w| w == b"aws") {
        label = "aws-secret";
    }
    // A lone `sid`/`session` names a session id only as a cookie or parameter name, never in prose keys like
    // `session_count` (excluded above); `pass` alone is a password (`pass=…`), `pw` too.
    Some(label)
}

/// Values that are not credentials: placeholders, booleans, already-masked text.
pub(crate) fn is_placeholder(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    if l.is_empty() {
        return true;
    }
    if l.bytes()
        .all(|c| c == b'*' || c == b'x' || c == b'#' || c == b'.' || c == b'-' || c == b'?')
    {
        return true;
    }
    if (l.starts_with('<') && l.ends_with('>'))
        || l.starts_with("${")
        || l.starts_with("{{")
        || l.starts_with("%s")
        || l.starts_with("<secret")
        || l.starts_with('[') && l.ends_with(']')
    {
        return true;
    }
    matches!(
        l.as_str(),
        "null"
            | "nil"
            | "none"
            | "undefined"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "redacted"
            | "masked"
            | "hidden"
            | "filtered"
            | "removed"
            | "secret"
            | "password"
            | "empty"
            | "n/a"
            | "na"
            | "{}"
            | "[]"
            | "''"
            | "\"\""
            | "set"
            | "unset"
            | "required"
            | "optional"
            | "ok"
            | "invalid"
            | "incorrect"
            | "wrong"
            | "expired"
            | "missing"
            | "present"
            | "provided"
            | "changed"
    )
}

fn locate_pair(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // `sig=` carries its separator.
    let sig = b[ks..ke].ends_with(b"=");
    let (mut kl, mut kr) = (ks, if sig { ke - 1 } else { ke });
    while kl > 0 && is_key_byte(b[kl - 1]) && ks - kl < 64 {
        kl -= 1;
    }
    while kr < b.len() && is_key_byte(b[kr]) && kr - ke < 64 {
        kr += 1;
    }
    // A key ending in `.` or `-` is a sentence, not a key.
    while kr > ke && matches!(b[kr - 1], b'.' | b'-') {
        kr -= 1;
    }
    let key = &text[kl..kr];
    // A bare `key` names a credential only when its value is a long generated string (checked below).
    let bare_key = key.eq_ignore_ascii_case("key");
    let Some(label) = classify_key(key).or(bare_key.then_some("secret")) else {
        return;
    };
    // An XML element (`<password>`, `<ns:secret>`): the key follows `<` or `<prefix:`.
    let xml = kl > 0
        && (b[kl - 1] == b'<'
            || (b[kl - 1] == b':' && {
                let mut p = kl - 1;
                while p > 0 && p + 32 > kl && is_key_byte(b[p - 1]) {
                    p -= 1;
                }
                // (`<secret:password>` is this redactor's own mask, not an element.)
                p > 0 && p < kl - 1 && b[p - 1] == b'<' && &b[p..kl - 1] != b"secret"
            }));
    // The key is an attribute's or a field's value naming the credential: `<property name="password"
    // value="…"/>`, `<add key="ApiKey" value="…"/>`, `{"name": "DB_PASSWORD", "value": "…"}`.
    let named = kl >= 2 && matches!(b[kl - 1], b'"' | b'\'') && {
        let before = &b[kl.saturating_sub(8)..kl - 1];
        let before = before.strip_suffix(b"\\").unwrap_or(before);
        let before = trim_end_blanks(before);
        let before = before
            .strip_suffix(b"=")
            .or_else(|| before.strip_suffix(b":"))
            .map(trim_end_blanks)
            .map(|x| {
                x.strip_suffix(b"\"")
                    .or_else(|| x.strip_suffix(b"\\\""))
                    .unwrap_or(x)
            })
            .map(|x| x.strip_suffix(b"\\").unwrap_or(x));
        before.is_some_and(|x| {
            let l = x.len();
            (l >= 4
                && x[l - 4..].eq_ignore_ascii_case(b"name")
                && (l == 4 || !x[l - 5].is_ascii_alphanumeric()))
                || (l >= 3
                    && x[l - 3..].eq_ignore_ascii_case(b"key")
                    && (l == 3 || !x[l - 4].is_ascii_alphanumeric()))
        })
    };
    // A command-line flag (`--password VALUE`, `-token VALUE`): the blank is the separator.
    let flag = b[kl] == b'-' && (kl == 0 || b[kl - 1] == b' ');
    // Separator: optional closing quote of a JSON key (escaped in JSON inside a JSON string), blanks, then `=`,
    // `:`, `=>`, `:=`, their URL encodings `%3D` and `%3A` (or `>` in XML).
    let mut i = kr;
    if b.get(i) == Some(&b'\\') && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
        i += 1;
    }
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let named_tag = named && b.get(i) == Some(&b'>');
    if named && !named_tag {
        // `, "value": ` or ` value=`.
        if b.get(i) == Some(&b',') {
            i += 1;
        }
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if b.get(i) == Some(&b'\\') {
            i += 1;
        }
        if matches!(b.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        if !b
            .get(i..i + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"value"))
        {
            return;
        }
        i += 5;
        if b.get(i) == Some(&b'\\') {
            i += 1;
        }
        if matches!(b.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
    }
    let sep_colon;
    if xml {
        if i >= b.len() || b[i] != b'>' {
            return;
        }
        sep_colon = false;
        i += 1;
    } else {
        match b.get(i) {
            Some(b'=') => {
                sep_colon = false;
                i += 1;
                if b.get(i) == Some(&b'>') {
                    i += 1;
                }
            }
            Some(b':') => {
                sep_colon = true;
                i += 1;
                if b.get(i) == Some(&b'=') {
                    i += 1;
                }
            }
            // `%3D`, or `%253D` when the URL was encoded twice.
            Some(b'%') if encoded_separator(&b[i..]).is_some() => {
                sep_colon = false;
                i += encoded_separator(&b[i..]).unwrap_or(0);
            }
            // `<entry key="mail.password">VALUE</entry>`.
            Some(b'>') if named_tag => {
                sep_colon = false;
                i += 1;
            }
            // `using access_key VALUE`, `-storepass VALUE`: a blank, when the value looks generated.
            // (Only after a key written as code, `access_key`, `apiToken`, or after the word password itself
            // (`.netrc`'s `machine H login U password P`, "auth failed for password P"): after another plain word
            // it is prose, "for session 3be6c60ca0d3".)
            Some(_)
                if i == kr + 1
                    && b[kr] == b' '
                    && (key.bytes().any(|c| matches!(c, b'_' | b'-' | b'.'))
                        || label == "password")
                    && looks_generated(&b[i..]) =>
            {
                sep_colon = false;
            }
            Some(_)
                if flag
                    && i == kr + 1
                    && b[kr] == b' '
                    && !matches!(b[i], b'-' | b'<' | b'$' | b'{' | b'|' | b'>') =>
            {
                sep_colon = false;
            }
            _ => return,
        }
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let strong = label != "password";
    // Rejections that need only the value's start come before reading it, so that a rejected attempt reads a
    // bounded window (a line of repeated keywords stays linear).
    // `pwd=/home/user` is a working directory.
    if b.get(i) == Some(&b'/')
        && (key.eq_ignore_ascii_case("pwd") || key.eq_ignore_ascii_case("oldpwd"))
    {
        return;
    }
    let quote_skip = usize::from(matches!(b.get(i), Some(b'"' | b'\'')));
    if bare_key
        && !(looks_generated(&b[(i + quote_skip).min(b.len())..]) && {
            let w = &b[(i + quote_skip).min(b.len())..];
            w.iter()
                .take(32)
                .filter(|c| c.is_ascii_alphanumeric() || b"-_+/=".contains(c))
                .count()
                == 32
        })
    {
        return;
    }
    // The value. No cap on its length (a long value is masked whole); the scan gives up as soon as the value
    // cannot be a credential, so a line of repeated keywords costs linear time.
    let (vs, ve, quoted) = match b.get(i) {
        // A string inside a JSON string: `\"…\"` ends at the next escaped quote.
        Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\'')) => {
            let q = b[i + 1];
            let s = i + 2;
            let mut e = s;
            while e < b.len() && !(b[e] == b'\\' && b.get(e + 1) == Some(&q)) && b[e] != b'\n' {
                if strong && b[e] == b' ' {
                    return;
                }
                e += 1;
            }
            (s, e, true)
        }
        // ODBC braces a value with special characters: `Pwd={p;w};`.
        Some(b'{') if b.get(i + 1).is_some_and(|c| *c != b'{' && *c != b'"') => {
            let s = i + 1;
            let mut e = s;
            while e < b.len() && b[e] != b'}' && b[e] != b'\n' {
                e += 1;
            }
            (s, e, true)
        }
        Some(&q @ (b'"' | b'\'')) => {
            let s = i + 1;
            let mut e = s;
            while e < b.len() && b[e] != q && b[e] != b'\n' {
                if b[e] == b'\\' {
                    e += 1;
                } else if strong && b[e] == b' ' {
                    // Tokens and keys have no blanks.
                    return;
                }
                e += 1;
            }
            (s, e.min(b.len()), true)
        }
        Some(_) => {
            let s = i;
            let mut e = s;
            while e < b.len() {
                let c = b[e];
                // `&` ends the value only before another `name=` pair (`password=Tr0ub4dor&3x` keeps its tail).
                let stop = if c == b'&' {
                    starts_pair(&b[e + 1..])
                } else {
                    value_stop(c)
                };
                if stop {
                    break;
                }
                // `credentials: accessKeyId=…` and `token: https://…` name another pair or a URL, not a value
                // (but `=` padding ends base64).
                if c == b'=' && sep_colon {
                    let mut k = e;
                    while k < b.len() && b[k] == b'=' {
                        k += 1;
                    }
                    if k < b.len() && !value_stop(b[k]) {
                        return;
                    }
                }
                if (c == b':' && b[e + 1..].starts_with(b"//")) || (strong && c == b'@') {
                    return;
                }
                e += 1;
            }
            // A trailing full stop ends a sentence.
            while e > s && matches!(b[e - 1], b'.') {
                e -= 1;
            }
            (s, e, false)
        }
        None => return,
    };
    crate::work::add((ve.max(vs) - vs) as u64);
    if ve <= vs {
        return;
    }
    let v = &text[vs..ve];
    if is_placeholder(v) {
        return;
    }
    // A session id that is a number (`sessionid: 0x14ed93111f20000`, ZooKeeper's) is a counter, not a random
    // token.
    if label == "session" {
        let digits = v.strip_prefix("0x").unwrap_or(v);
        if digits.bytes().all(|c| c.is_ascii_hexdigit())
            && (v.starts_with("0x") || digits.bytes().all(|c| c.is_ascii_digit()))
        {
            return;
        }
    }
    if strong {
        // Tokens and keys are long and not plain words.
        let min = if label == "signature" { 20 } else { 8 };
        if v.len() < min {
            return;
        }
        if !quoted && v.len() < 16 && !v.bytes().any(|c| c.is_ascii_digit()) {
            return;
        }
    } else {
        if sep_colon && !quoted {
            // `password: hunter2`, not `password: required`: a colon needs something password-like.
            let looks = v.len() >= 4
                && (v
                    .bytes()
                    .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
                    || (v.bytes().any(|c| c.is_ascii_uppercase())
                        && v.bytes().any(|c| c.is_ascii_lowercase())));
            if !looks {
                return;
            }
        }
    }
    let severity = match label {
        "aws-secret" | "azure-storage-key" | "private-key" => Critical,
        // A session id in a URL's query is usually another site's (a referer) and short-lived: masked, but not
        // an alarm; in a cookie or a header it is a live login.
        "session" if kl > 0 && matches!(b[kl - 1], b'?' | b'&') => Severity::Low,
        "session" => Medium,
        _ => High,
    };
    out.push(Hit {
        start: vs,
        end: ve,
        label,
        class: Class::Secret,
        severity,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Authorization headers and bearer tokens.

fn is_credential_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-' | b':')
}

/// The end of a credential (RFC 7235 `token68` bytes and `:`) starting at `s`; no cap, so a long credential is
/// masked whole.
fn credential_end(b: &[u8], s: usize) -> usize {
    run_end(b, s, is_credential_byte)
}

fn locate_authorization(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // `unauthorization` is not a header; `proxyauthorization` (`Proxy-Authorization` without its dash) and
    // `XAuthorization` are.
    if ks > 0
        && b[ks - 1].is_ascii_alphanumeric()
        && !b[ks - 1].is_ascii_uppercase()
        && !(ks >= 5 && b[ks - 5..ks].eq_ignore_ascii_case(b"proxy"))
    {
        return;
    }
    let mut i = ke;
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if i >= b.len() || !(b[i] == b':' || b[i] == b'=') {
        return;
    }
    i += 1;
    // The value may be quoted (JSON, a header dump); then it ends at the closing quote.
    let mut quote = None;
    while i < b.len()
        && (b[i] == b' ' || b[i] == b'"' || b[i] == b'\'' || b[i] == b'[' || b[i] == b'\\')
    {
        if b[i] == b'"' || b[i] == b'\'' {
            quote = Some(b[i]);
        }
        i += 1;
    }
    // RFC 7235: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, any scheme (Basic, Bearer,
    // Digest, AWS4-HMAC-SHA256, Negotiate, NTLM, SSWS, GenieKey, Splunk, …): the scheme stays, what follows it
    // is masked. A value without a scheme is masked whole.
    let ws = i;
    let mut we = i;
    while we < b.len()
        && (b[we].is_ascii_alphanumeric() || b[we] == b'-' || b[we] == b'_')
        && we - ws < 32
    {
        we += 1;
    }
    let has_scheme = we > ws && b[ws].is_ascii_alphabetic() && b.get(we) == Some(&b' ') && {
        let mut c = we;
        while c < b.len() && b[c] == b' ' {
            c += 1;
        }
        c < b.len() && is_credential_byte(b[c])
    };
    // Already masked (`Digest <secret:authorization>`): nothing left to do.
    let mut after = we;
    while after < b.len() && b[after] == b' ' {
        after += 1;
    }
    if b[after.min(b.len())..].starts_with(b"<secret:") || b[ws..].starts_with(b"<secret:") {
        return;
    }
    let scheme = text[ws..we].to_ascii_lowercase();
    let (label, cs) = if has_scheme {
        let label = match scheme.as_str() {
            "bearer" | "dpop" => "bearer-token",
            "basic" => "basic-auth",
            _ => "authorization",
        };
        let mut cs = we;
        while cs < b.len() && b[cs] == b' ' {
            cs += 1;
        }
        (label, cs)
    } else {
        ("authorization", ws)
    };
    // A token68 ends at the first byte that is not one; auth-params (`Credential=…, SignedHeaders=…,
    // Signature=…`, `username="…", response="…"`) run to the end of the value.
    let te = credential_end(b, cs);
    let tok = &b[cs..te];
    let params = tok.windows(2).any(|w| w[0] == b'=' && w[1] != b'=')
        || (tok.ends_with(b"=") && matches!(b.get(te), Some(b'"' | b'\'')))
        || b.get(te) == Some(&b',');
    let ce = if params && has_scheme {
        let mut e = te;
        while e < b.len() && b[e] != b'\n' && Some(b[e]) != quote && b[e] != b']' {
            e += 1;
        }
        crate::work::add((e - te) as u64);
        // A closing quote of the whole value is not part of it.
        while e > cs && b[e - 1] == b' ' {
            e -= 1;
        }
        e
    } else {
        te
    };
    if ce <= cs || ce - cs < 6 || is_placeholder(&text[cs..ce]) {
        return;
    }
    out.push(Hit {
        start: cs,
        end: ce,
        label,
        class: Class::Secret,
        severity: High,
    });
}

fn locate_bearer(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    if ks > 0 && b[ks - 1].is_ascii_alphanumeric() {
        return;
    }
    let mut i = ke;
    if i >= b.len() || !(b[i] == b' ' || b[i] == b'=' || b[i] == b':') {
        return;
    }
    while i < b.len() && matches!(b[i], b' ' | b'=' | b':' | b'"' | b'\'') {
        i += 1;
    }
    // Decide on the first 64 bytes (a digit or a dot: not a word), then read the whole credential: a rejected
    // attempt reads a bounded window, so a line of repeated `bearer` stays linear.
    let mut h = i;
    while h < b.len() && h - i < 64 && is_credential_byte(b[h]) {
        h += 1;
    }
    crate::work::add((h - i) as u64);
    let head = &b[i..h];
    if !head.iter().any(|c| c.is_ascii_digit() || *c == b'.') {
        return;
    }
    let e = credential_end(b, h);
    if e - i < 16 || is_placeholder(&text[i..e]) {
        return;
    }
    out.push(Hit {
        start: i,
        end: e,
        label: "bearer-token",
        class: Class::Secret,
        severity: High,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail addresses (personal data).

/// An address (RFC 5322 `local-part@domain`): a dot-atom or quoted local part, and a domain of dotted labels
/// ending in an alphabetic top-level domain. The `@` may be URL-encoded (`%40`).
fn locate_email(text: &str, at: usize, d0: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let mut s = at;
    while s > 0
        && (b[s - 1].is_ascii_alphanumeric()
            || matches!(b[s - 1], b'.' | b'_' | b'%' | b'+' | b'-'))
        && at - s < 64
    {
        s -= 1;
    }
    while s < at && matches!(b[s], b'.' | b'-' | b'+') {
        s += 1;
    }
    if s == at {
        // A quoted local part (`"bob smith"@x.org`), or no address.
        match crate::pii_email::quoted_local_start(b, at) {
            Some(q) => s = q,
            None => return,
        }
    }
    // `scheme://user:pass@host`: the URL-credentials rule owns it; `a/b@c` is a path.
    let mailto = s >= 7 && b[s - 7..s].eq_ignore_ascii_case(b"mailto:");
    if s > 0 && matches!(b[s - 1], b':' | b'/') && !mailto {
        return;
    }
    let mut e = d0;
    let mut last_dot = None;
    while e < b.len()
        && (b[e].is_ascii_alphanumeric() || b[e] == b'-' || b[e] == b'.')
        && e - at < 255
    {
        if b[e] == b'.' {
            last_dot = Some(e);
        }
        e += 1;
    }
    while e > d0 && matches!(b[e - 1], b'.' | b'-') {
        e -= 1;
        if last_dot == Some(e) {
            last_dot = text[d0..e].rfind('.').map(|x| x + d0);
        }
    }
    let Some(dot) = last_dot else { return };
    if dot >= e || dot <= d0 {
        return;
    }
    let tld = &b[dot + 1..e];
    if tld.len() < 2 || tld.len() > 24 || !tld.iter().all(|c| c.is_ascii_alphabetic()) {
        return;
    }
    // The domain's labels are not empty.
    if text[d0..e].contains("..") || b[d0] == b'.' || b[d0] == b'-' {
        return;
    }
    // Role mailboxes, crawler contacts, build banners: not personal data (policy in pii_email.rs).
    if crate::pii_email::is_public_contact(text, s, at, e) {
        return;
    }
    out.push(Hit {
        start: s,
        end: e,
        label: "email",
        class: Class::Pii,
        severity: Severity::Low,
    });
}

/// The length of a URL-encoded `=` or `:` (`%3D`, `%253D`, …) at the start of `b`.
fn encoded_separator(b: &[u8]) -> Option<usize> {
    let mut p = 1;
    while b.get(p..p + 2) == Some(b"25") {
        p += 2;
    }
    (b.first() == Some(&b'%')
        && b.get(p) == Some(&b'3')
        && matches!(b.get(p + 1), Some(b'D' | b'd' | b'A' | b'a')))
    .then_some(p + 2)
}

/// Whether the word at the start of `v` looks generated rather than written: 12 bytes or more of letters,
/// digits and `-_+/=.~!@#$%^*`, with letters and digits both, and not a path.
fn looks_generated(v: &[u8]) -> bool {
    let end = v
        .iter()
        .take(256)
        .position(|c| {
            c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b',' | b';' | b'<' | b'>' | b'&')
        })
        .unwrap_or(v.len().min(256));
    let w = &v[..end];
    w.len() >= 12
        && w.iter().any(|c| c.is_ascii_digit())
        && w.iter().any(|c| c.is_ascii_alphabetic())
        && w.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_+/=.~!@#$%^*".contains(c))
        && !w.starts_with(b"/")
        && w.iter().filter(|c| **c == b'/').count() <= 2
        && w.iter().filter(|c| **c == b'.').count() <= 1
}

fn trim_end_blanks(x: &[u8]) -> &[u8] {
    let n = x.iter().rev().take_while(|c| **c == b' ').count();
    &x[..x.len() - n]
}

/// A byte that ends an unquoted value.
fn value_stop(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\''
                | b','
                | b';'
                | b'}'
                | b')'
                | b']'
                | b'<'
                | b'>'
                | b'{'
                | b'('
                | b'['
                | b'|'
                | b'&'
        )
}

/// Whether `rest` (what follows a `&`) starts another `name=` pair: then the `&` separates query parameters;
/// otherwise it is part of the value (`password=Tr0ub4dor&3x`), and cutting there would leak the rest.
fn starts_pair(rest: &[u8]) -> bool {
    // Parameter names are short; reading at most 64 bytes keeps a value with many `&` linear.
    let name = rest
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']'))
        .count();
    name > 0 && rest.get(name) == Some(&b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_classification() {
        assert_eq!(classify_key("password"), Some("password"));
        assert_eq!(classify_key("spring.datasource.password"), Some("password"));
        assert_eq!(classify_key("clientSecret"), Some("secret"));
        assert_eq!(classify_key("AWS_SECRET_ACCESS_KEY"), Some("aws-secret"));
        assert_eq!(classify_key("X-Api-Key"), Some("api-key"));
        assert_eq!(classify_key("access_token"), Some("token"));
        assert_eq!(classify_key("password_length"), None);
        assert_eq!(classify_key("passed"), None);
        assert_eq!(classify_key("bypass"), None);
        assert_eq!(classify_key("token_type"), None);
        assert_eq!(classify_key("tokenizer"), None);
    }

    #[test]
    fn ampersand_ends_a_value_only_before_another_pair() {
        assert!(starts_pair(b"user=bob"));
        assert!(starts_pair(b"filter[name]=x"));
        assert!(!starts_pair(b"3x"));
        assert!(!starts_pair(b"=x"));
        assert!(!starts_pair(b""));
        let r = crate::Redactor::new();
        assert_eq!(
            r.redact("login password=Tr0ub4dor&3x ok"),
            "login password=<secret:password> ok"
        );
        assert_eq!(
            r.redact("GET /login?password=hunter2&user=bob"),
            "GET /login?password=<secret:password>&user=bob"
        );
    }
}

#[cfg(test)]
mod compile_tests {
    #[test]
    fn every_rule_compiles() {
        for r in super::RE_RULES {
            regex::Regex::new(r.re).unwrap_or_else(|e| panic!("{}: {e}", r.label));
            assert!(r.re.starts_with('^'), "{} is anchored", r.label);
        }
    }
}
