//! Target of the llm crate: the digest built from an analysis of the input, and the request that carries it.

use crate::{options, Params};
use logsieve_engine::pipeline::parse_all;
use logsieve_engine::template::{TemplateId, TemplateMap, TemplateMiner};
use logsieve_engine::Stats;
use logsieve_findings::{Analysis, Analyzer};
use logsieve_llm::{
    build_digest, estimate_tokens, prepare, DigestInput, LlmConfig, Provider, TemplateCount,
};

/// What one pass of `logsieve analyze` gives (without the k8s audit, which has its own target).
pub struct Analysed {
    pub stats: Stats,
    pub analysis: Analysis,
    pub map: TemplateMap,
}

/// Parses, mines templates and runs the analyzer in one pass, as the CLI's `analyse` does.
pub fn analyse(data: &[u8]) -> Analysed {
    let mut miner = TemplateMiner::new();
    let mut analyzer = Analyzer::new();
    let (stats, _) = parse_all(data, options(), |ev| {
        let id = miner.observe_event(ev).0;
        analyzer.observe(ev, Some(id));
    });
    let map = miner.finish();
    let template_text = |id: u32| map.get(TemplateId(id)).map(|t| t.template.clone());
    let analysis = analyzer.finish_analysis(&template_text);
    Analysed {
        stats,
        analysis,
        map,
    }
}

/// The digest of the input's analysis under a budget from the parameter bytes: its token count is its estimate,
/// the log data cannot close its block, and the request bodies of both providers are JSON.
pub fn llm_digest(data: &[u8]) {
    let p = Params::new(data);
    let b = |i: usize| p.bytes().get(i).copied().unwrap_or(0) as usize;
    let budget = match p.flags() >> 6 {
        0 => logsieve_llm::DEFAULT_BUDGET_TOKENS,
        1 => b(0) * 8,
        2 => 500 + b(0) * 40,
        _ => 60_000,
    };
    let a = analyse(p.body);
    let templates = TemplateCount::from_map(&a.map);
    let name = String::from_utf8_lossy(&p.body[..p.body.len().min(40)]);
    let digest = build_digest(
        &DigestInput {
            file_name: &name,
            stats: &a.stats,
            templates: &templates,
            analysis: &a.analysis,
        },
        budget,
    );
    assert_eq!(digest.tokens, estimate_tokens(&digest.text));
    let lower = digest.text.to_ascii_lowercase();
    assert!(
        lower.matches("<log_data").count() <= 1 && lower.matches("</log_data").count() <= 1,
        "log text opened or closed the <log_data> block:\n{}",
        digest.text
    );
    for provider in [Provider::Openai, Provider::Anthropic] {
        let config = LlmConfig::new(provider, provider.default_endpoint(), "m");
        let req = prepare(&config, &digest).expect("request prepares");
        let _: serde_json::Value = serde_json::from_str(&req.body).expect("request body is JSON");
    }
}
