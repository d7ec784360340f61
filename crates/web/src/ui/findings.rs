//! The Findings tab: the file's findings (computed in the worker by `logsieve-findings`, in the order of
//! `logsieve analyze`), and for Kubernetes input the Kubernetes view, grouped by namespace and object, each finding
//! with its corrected YAML. Evidence lines jump to their event in the table. Log text is shown as text only.

use super::state::{AppState, Tab};
use leptos::prelude::*;
use logsieve_engine::Finding;
use logsieve_web::protocol::thousands;
use std::collections::{BTreeMap, HashMap};

fn state() -> AppState {
    expect_context::<AppState>()
}

#[component]
fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="copy"
            data-testid="copy"
            title=format!("Copy the {label}")
            on:click=move |_| {
                super::clipboard::copy_text(&text);
                copied.set(true);
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

fn list(title: &'static str, items: &[String], class: &'static str) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <div class=class>
                <h4>{title}</h4>
                <ul>{items.iter().map(|i| view! { <li>{i.clone()}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

#[component]
fn FindingCard(finding: Finding, excerpts: HashMap<u64, String>) -> impl IntoView {
    let st = state();
    let f = finding;
    let sev = f.severity.as_str();
    let seen = match (&f.first_seen, &f.last_seen) {
        (Some(a), Some(b)) if a != b => Some(format!("{a} → {b}")),
        (Some(a), _) | (None, Some(a)) => Some(a.clone()),
        _ => None,
    };
    let evidence = (!f.evidence.lines.is_empty()).then(|| {
        let more = f.evidence.total.saturating_sub(f.evidence.lines.len() as u64);
        view! {
            <div class="evidence">
                <h4>{format!("Evidence ({} events)", thousands(f.evidence.total))}</h4>
                <ul>
                    {f
                        .evidence
                        .lines
                        .iter()
                        .map(|&line| {
                            let excerpt = excerpts.get(&line).cloned();
                            view! {
                                <li>
                                    <a
                                        href="#"
                                        class="evidence-line"
                                        data-testid="evidence-line"
                                        data-line=line.to_string()
                                        title="Show this event in the table"
                                        on:click=move |ev: web_sys::MouseEvent| {
                                            ev.prevent_default();
                                            st.jump_to_line(line);
                                        }
                                    >
                                        {format!("line {}", thousands(line))}
                                    </a>
                                    {excerpt.map(|e| view! { <code class="excerpt">{e}</code> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="more">{format!("and {} more", thousands(more))}</p> })}
            </div>
        }
    });
    let queries = [
        ("LogQL", f.queries.logql.clone()),
        ("KQL", f.queries.kql.clone()),
        ("SPL", f.queries.spl.clone()),
    ]
    .into_iter()
    .filter(|(_, q)| !q.is_empty())
    .map(|(label, q)| {
        view! {
            <div class="query" data-testid="query" data-lang=label>
                <span class="query-lang">{label}</span>
                <code>{q.clone()}</code>
                <CopyButton text=q label="query"/>
            </div>
        }
    })
    .collect_view();
    let commands = (!f.commands.is_empty()).then(|| {
        view! {
            <div class="commands">
                <h4>"Commands"</h4>
                {f
                    .commands
                    .iter()
                    .map(|c| {
                        view! {
                            <div class="command">
                                <code>{c.clone()}</code>
                                <CopyButton text=c.clone() label="command"/>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        }
    });
    let k8s = f.k8s.clone().map(|t| {
        let mut target = format!("{} {}", t.kind, t.name);
        if let Some(ns) = &t.namespace {
            target = format!("{} {ns}/{}", t.kind, t.name);
        }
        if let Some(c) = &t.container {
            target.push_str(&format!(", container {c}"));
        }
        view! {
            <div class="k8s-target">
                <p>
                    <b>"Object: "</b>
                    {target}
                    " · "
                    <code>{t.yaml_path.clone()}</code>
                </p>
                {(!t.fix.is_empty())
                    .then(|| {
                        view! {
                            <div class="k8s-fix-box">
                                <h4>"Fix"</h4>
                                <pre class="k8s-fix" data-testid="k8s-fix">{t.fix.clone()}</pre>
                                <CopyButton text=t.fix.clone() label="YAML"/>
                            </div>
                        }
                    })}
            </div>
        }
    });
    let suspects = (!f.suspects.is_empty()).then(|| {
        view! {
            <div class="suspects" data-testid="suspects">
                <h4>"Suspects, most likely first"</h4>
                <ol>
                    {f
                        .suspects
                        .iter()
                        .map(|s| {
                            view! {
                                <li data-testid="suspect" data-kind=s.kind.clone()>
                                    <span class="suspect-kind">{s.kind.clone()}</span>
                                    " "
                                    <code>{s.name.clone()}</code>
                                    ": "
                                    {s.detail.clone()}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </div>
        }
    });
    view! {
        <article
            class=format!("finding sev-{sev}")
            data-testid="finding"
            data-kind=f.kind.clone()
            data-severity=sev
        >
            <header>
                <span class=format!("severity sev-{sev}")>{sev}</span>
                <h3>{f.title.clone()}</h3>
                <span class="kind">{f.kind.clone()}</span>
            </header>
            <p class="finding-summary">{f.summary.clone()}</p>
            {f.root_cause.clone().map(|rc| view! { <p class="root-cause"><b>"Root cause: "</b>{rc}</p> })}
            {seen.map(|s| view! { <p class="seen"><b>"Seen: "</b>{s}</p> })}
            {suspects}
            {k8s}
            <div class="fixes">
                {list("Hotfix", &f.hotfix, "hotfix")}
                {list("Long-term", &f.long_term, "long-term")}
            </div>
            {commands}
            {queries}
            {evidence}
        </article>
    }
}

#[component]
pub fn FindingsView() -> impl IntoView {
    let st = state();
    let hidden = move || st.tab.get() != Tab::Findings || st.phase.with(|p| p.summary().is_none());
    let body = move || {
        let Some(fs) = st.findings.get() else {
            return view! { <p class="findings-wait">"Analysing…"</p> }.into_any();
        };
        let excerpts: HashMap<u64, String> = fs.excerpts.iter().cloned().collect();
        let (k8s, log): (Vec<Finding>, Vec<Finding>) =
            fs.findings.iter().cloned().partition(|f| f.k8s.is_some());
        // Namespace → (kind, name) → findings, in the findings' order within an object.
        let mut groups: BTreeMap<String, BTreeMap<(String, String), Vec<Finding>>> =
            BTreeMap::new();
        for f in k8s {
            let t = f.k8s.clone().unwrap_or_default();
            let ns = t
                .namespace
                .clone()
                .unwrap_or_else(|| "(no namespace)".into());
            groups
                .entry(ns)
                .or_default()
                .entry((t.kind.clone(), t.name.clone()))
                .or_default()
                .push(f);
        }
        let k8s_view = (fs.k8s_input.is_some() || !groups.is_empty()).then(|| {
            let ex = excerpts.clone();
            view! {
                <section class="k8s-view" data-testid="k8s-view" data-input=fs.k8s_input.clone()>
                    <h2>"Kubernetes"</h2>
                    {groups.is_empty().then(|| view! { <p>"No problems found in these objects."</p> })}
                    {groups
                        .into_iter()
                        .map(|(ns, objects)| {
                            let ex = ex.clone();
                            view! {
                                <section class="k8s-namespace" data-testid="k8s-namespace" data-namespace=ns.clone()>
                                    <h3>{format!("Namespace {ns}")}</h3>
                                    {objects
                                        .into_iter()
                                        .map(|((kind, name), fs)| {
                                            let ex = ex.clone();
                                            view! {
                                                <section
                                                    class="k8s-object"
                                                    data-testid="k8s-object"
                                                    data-kind=kind.clone()
                                                    data-name=name.clone()
                                                >
                                                    <h4>{format!("{kind} {name}")}</h4>
                                                    {fs
                                                        .into_iter()
                                                        .map(|f| view! { <FindingCard finding=f excerpts=ex.clone()/> })
                                                        .collect_view()}
                                                </section>
                                            }
                                        })
                                        .collect_view()}
                                </section>
                            }
                        })
                        .collect_view()}
                </section>
            }
        });
        let note = fs
            .k8s_note
            .clone()
            .map(|n| view! { <p class="notice">{n}</p> });
        let n = log.len();
        // The log's findings were left out (a retry after their stage failed): say so instead of "none".
        let skipped = fs.skipped.clone();
        let none = (n == 0 && skipped.is_none())
            .then(|| view! { <p class="empty">"No findings in this log."</p> });
        let skipped =
            skipped.map(|s| view! { <p class="notice" data-testid="findings-skipped">{s}</p> });
        view! {
            {note}
            {k8s_view}
            <section class="log-findings" data-testid="log-findings" data-count=n.to_string()>
                {skipped}
                {none}
                {log
                    .into_iter()
                    .map(|f| view! { <FindingCard finding=f excerpts=excerpts.clone()/> })
                    .collect_view()}
            </section>
        }
        .into_any()
    };
    // With a time range selected on the volume chart the findings are the range's: say so, with a way back.
    let range_line = move || {
        st.charts.range.get().map(|r| {
            view! {
                <p class="findings-range" data-testid="findings-range">
                    {format!("Findings for {} (selected on the volume chart) · ", super::charts::range_text(r))}
                    <button
                        type="button"
                        data-testid="findings-range-reset"
                        on:click=move |_| super::charts::select_range(st, None)
                    >
                        "Reset"
                    </button>
                </p>
            }
        })
    };
    view! {
        <section
            class="findings-view"
            class:hidden=hidden
            data-testid="findings-view"
            data-state=move || if st.findings.with(|f| f.is_some()) { "done" } else { "running" }
            data-findings=move || st.findings.with(|f| f.as_ref().map(|f| f.findings.len().to_string()))
            role="tabpanel"
        >
            {range_line}
            {body}
        </section>
    }
}
