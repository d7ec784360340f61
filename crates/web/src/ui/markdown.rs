//! The LLM answer's Markdown as DOM nodes: the closed tree of `logsieve_web::llm_markdown` mapped to Leptos view
//! nodes, one element per node kind, text always as text nodes (never `inner_html`). Links are their text and
//! their URL as text, with no `href`: nothing in an answer can navigate, load or run anything.

use leptos::prelude::*;
use logsieve_web::llm_markdown::{parse, Kind, Node};

/// The view of Markdown `text`.
#[component]
pub fn Markdown(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || text.with(|t| nodes(&parse(t), false))
}

fn nodes(list: &[Node], in_head: bool) -> Vec<AnyView> {
    list.iter().map(|n| node(n, in_head)).collect()
}

fn node(n: &Node, in_head: bool) -> AnyView {
    match n {
        Node::Text(t) => t.clone().into_any(),
        Node::Code(t) => view! { <code>{t.clone()}</code> }.into_any(),
        Node::CodeBlock { lang, text } => view! {
            <pre class="md-code" data-lang=lang.clone()>
                <code>{text.clone()}</code>
            </pre>
        }
        .into_any(),
        Node::HardBreak => view! { <br/> }.into_any(),
        Node::Rule => view! { <hr/> }.into_any(),
        Node::Element { kind, children } => element(kind, children, in_head),
    }
}

fn element(kind: &Kind, children: &[Node], in_head: bool) -> AnyView {
    let inner = || nodes(children, in_head);
    match kind {
        Kind::Paragraph => view! { <p>{inner()}</p> }.into_any(),
        Kind::Heading(1) => view! { <h3>{inner()}</h3> }.into_any(),
        Kind::Heading(2) => view! { <h4>{inner()}</h4> }.into_any(),
        Kind::Heading(3) => view! { <h5>{inner()}</h5> }.into_any(),
        // The answer sits under the panel's own headings: its levels are shifted down by two.
        Kind::Heading(_) => view! { <h6>{inner()}</h6> }.into_any(),
        Kind::BlockQuote => view! { <blockquote>{inner()}</blockquote> }.into_any(),
        Kind::List(None) => view! { <ul>{inner()}</ul> }.into_any(),
        Kind::List(Some(start)) => {
            let start = (*start).min(i32::MAX as u64) as i32;
            view! { <ol start=start>{inner()}</ol> }.into_any()
        }
        Kind::Item => view! { <li>{inner()}</li> }.into_any(),
        Kind::Emphasis => view! { <em>{inner()}</em> }.into_any(),
        Kind::Strong => view! { <strong>{inner()}</strong> }.into_any(),
        Kind::Strikethrough => view! { <del>{inner()}</del> }.into_any(),
        Kind::Table => view! {
            <div class="md-table">
                <table>{inner()}</table>
            </div>
        }
        .into_any(),
        // The head's cells come straight inside it: give them their row.
        Kind::TableHead => {
            let cells = nodes(children, true);
            view! {
                <thead>
                    <tr>{cells}</tr>
                </thead>
            }
            .into_any()
        }
        Kind::TableRow => view! { <tr>{inner()}</tr> }.into_any(),
        Kind::TableCell if in_head => view! { <th>{inner()}</th> }.into_any(),
        Kind::TableCell => view! { <td>{inner()}</td> }.into_any(),
        Kind::Link(url) => {
            let text = logsieve_web::llm_markdown::plain_text(children);
            let url_text =
                (text.trim() != url.trim() && !url.is_empty()).then(|| format!(" ({url})"));
            view! {
                <span class="md-link">{inner()}</span>
                <span class="md-url">{url_text}</span>
            }
            .into_any()
        }
    }
}
