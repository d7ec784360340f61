//! The LLM answer's Markdown, as a small tree the page turns into DOM nodes (`ui::markdown`), never into an HTML
//! string: pulldown-cmark parses, this module keeps only what a text answer needs.
//!
//! What the tree can hold is the safety argument, so it is closed: paragraphs, headings, lists, block quotes, code
//! blocks, inline code, emphasis, strikethrough, tables, rules and line breaks. Everything else becomes text:
//! raw HTML (block or inline) is kept as its literal source text, an image is only its alt text (nothing is
//! fetched), a link is its text followed by its URL in parentheses (nothing to click, so nothing navigates away).
//! A streamed answer is re-parsed whole at each chunk; half-written Markdown simply renders as what it is so far.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag};

/// A block or inline element of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text, shown as a text node.
    Text(String),
    /// Inline code.
    Code(String),
    /// A fenced or indented code block: its language tag (as text, for a class-free label) and its text.
    CodeBlock {
        lang: Option<String>,
        text: String,
    },
    HardBreak,
    Rule,
    Element {
        kind: Kind,
        children: Vec<Node>,
    },
}

/// The elements the tree may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    /// 1 to 6.
    Heading(u8),
    BlockQuote,
    /// `Some(first number)` for an ordered list.
    List(Option<u64>),
    Item,
    Emphasis,
    Strong,
    Strikethrough,
    Table,
    /// The header row's cells.
    TableHead,
    TableRow,
    TableCell,
    /// A link's text; its URL is shown after it as text (see the module documentation).
    Link(String),
}

/// Parses `text` (CommonMark with tables and strikethrough) into the tree.
pub fn parse(text: &str) -> Vec<Node> {
    // The frames of the open elements; the bottom one collects the top-level blocks.
    let mut stack: Vec<Frame> = vec![Frame::new(Open::Root)];
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for ev in Parser::new_ext(text, opts) {
        match ev {
            Event::Start(tag) => stack.push(Frame::new(open_of(tag))),
            Event::End(_) => {
                // Events are well nested: an end closes the innermost open element.
                if stack.len() > 1 {
                    let frame = stack.pop().expect("a frame above the root");
                    let node = frame.close();
                    push_all(&mut stack, node);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t),
            Event::Code(t) => push(&mut stack, Node::Code(t.into_string())),
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(t) | Event::InlineHtml(t) => push_text(&mut stack, &t),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                push(&mut stack, Node::Code(t.into_string()))
            }
            Event::FootnoteReference(t) => push_text(&mut stack, &format!("[^{t}]")),
            Event::SoftBreak => push_text(&mut stack, "\n"),
            Event::HardBreak => push(&mut stack, Node::HardBreak),
            Event::Rule => push(&mut stack, Node::Rule),
            Event::TaskListMarker(done) => {
                push_text(&mut stack, if done { "[x] " } else { "[ ] " })
            }
        }
    }
    // A well-formed parse ends with only the root; close anything left open anyway.
    while stack.len() > 1 {
        let node = stack.pop().expect("a frame above the root").close();
        push_all(&mut stack, node);
    }
    stack.pop().map(|f| f.children).unwrap_or_default()
}

/// The plain text of nodes (an image's alt text, a link's text).
pub fn plain_text(nodes: &[Node]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n {
            Node::Text(t) | Node::Code(t) => s.push_str(t),
            Node::CodeBlock { text, .. } => s.push_str(text),
            Node::HardBreak => s.push('\n'),
            Node::Rule => {}
            Node::Element { children, .. } => s.push_str(&plain_text(children)),
        }
    }
    s
}

/// What an open frame will become when it closes.
enum Open {
    Root,
    Element(Kind),
    CodeBlock(Option<String>),
    /// An image: its children are its alt text.
    Image,
    /// An HTML block: its children are its literal source, shown as a paragraph of text.
    HtmlBlock,
    /// Anything else (footnote definitions, metadata, definition lists...): its children are kept in place.
    Transparent,
}

struct Frame {
    open: Open,
    children: Vec<Node>,
}

impl Frame {
    fn new(open: Open) -> Frame {
        Frame {
            open,
            children: Vec::new(),
        }
    }

    /// The nodes this frame leaves in its parent.
    fn close(self) -> Vec<Node> {
        match self.open {
            Open::Root | Open::Transparent => self.children,
            Open::Element(kind) => vec![Node::Element {
                kind,
                children: self.children,
            }],
            Open::CodeBlock(lang) => vec![Node::CodeBlock {
                lang,
                text: plain_text(&self.children),
            }],
            Open::Image => vec![Node::Text(plain_text(&self.children))],
            Open::HtmlBlock => vec![Node::Element {
                kind: Kind::Paragraph,
                children: vec![Node::Text(plain_text(&self.children))],
            }],
        }
    }
}

fn open_of(tag: Tag<'_>) -> Open {
    let el = Open::Element;
    match tag {
        Tag::Paragraph => el(Kind::Paragraph),
        Tag::Heading { level, .. } => el(Kind::Heading(heading_number(level))),
        Tag::BlockQuote(_) => el(Kind::BlockQuote),
        Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
            let lang = info.split_whitespace().next().map(str::to_string);
            Open::CodeBlock(lang.filter(|l| !l.is_empty()))
        }
        Tag::CodeBlock(CodeBlockKind::Indented) => Open::CodeBlock(None),
        Tag::HtmlBlock => Open::HtmlBlock,
        Tag::List(start) => el(Kind::List(start)),
        Tag::Item => el(Kind::Item),
        Tag::Table(_) => el(Kind::Table),
        Tag::TableHead => el(Kind::TableHead),
        Tag::TableRow => el(Kind::TableRow),
        Tag::TableCell => el(Kind::TableCell),
        Tag::Emphasis => el(Kind::Emphasis),
        Tag::Strong => el(Kind::Strong),
        Tag::Strikethrough => el(Kind::Strikethrough),
        Tag::Link { dest_url, .. } => el(Kind::Link(dest_url.into_string())),
        Tag::Image { .. } => Open::Image,
        _ => Open::Transparent,
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn push(stack: &mut [Frame], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn push_all(stack: &mut [Frame], nodes: Vec<Node>) {
    for n in nodes {
        match n {
            Node::Text(t) => push_text(stack, &t),
            other => push(stack, other),
        }
    }
}

/// Appends text, merged with a text node just before it (fewer DOM nodes; raw HTML arrives in pieces).
fn push_text(stack: &mut [Frame], text: &str) {
    let Some(top) = stack.last_mut() else {
        return;
    };
    if let Some(Node::Text(prev)) = top.children.last_mut() {
        prev.push_str(text);
    } else {
        top.children.push(Node::Text(text.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.into())
    }

    fn el(kind: Kind, children: Vec<Node>) -> Node {
        Node::Element { kind, children }
    }

    #[test]
    fn blocks_and_inlines() {
        let md = "# Root cause\n\nThe **pool** is *exhausted* (`maxPoolSize=10`).\n\n\
                  1. Raise it\n2. Fix the leak\n\n```sql\nSELECT 1;\n```\n\n---\n";
        let got = parse(md);
        assert_eq!(got[0], el(Kind::Heading(1), vec![text("Root cause")]));
        assert_eq!(
            got[1],
            el(
                Kind::Paragraph,
                vec![
                    text("The "),
                    el(Kind::Strong, vec![text("pool")]),
                    text(" is "),
                    el(Kind::Emphasis, vec![text("exhausted")]),
                    text(" ("),
                    Node::Code("maxPoolSize=10".into()),
                    text(")."),
                ]
            )
        );
        assert_eq!(
            got[2],
            el(
                Kind::List(Some(1)),
                vec![
                    el(Kind::Item, vec![text("Raise it")]),
                    el(Kind::Item, vec![text("Fix the leak")]),
                ]
            )
        );
        assert_eq!(
            got[3],
            Node::CodeBlock {
                lang: Some("sql".into()),
                text: "SELECT 1;\n".into()
            }
        );
        assert_eq!(got[4], Node::Rule);
    }

    #[test]
    fn raw_html_is_text() {
        let got = parse("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(2)> there");
        assert_eq!(
            got[0],
            el(Kind::Paragraph, vec![text("<script>alert(1)</script>\n")])
        );
        assert_eq!(
            got[1],
            el(
                Kind::Paragraph,
                vec![text("Hi <img src=x onerror=alert(2)> there")]
            )
        );
    }

    #[test]
    fn images_are_alt_text_and_links_keep_their_url_as_text() {
        let got = parse(
            "See ![a chart](https://evil.example/p.png) and [the docs](https://example.com/d).",
        );
        assert_eq!(
            got[0],
            el(
                Kind::Paragraph,
                vec![
                    text("See a chart and "),
                    el(
                        Kind::Link("https://example.com/d".into()),
                        vec![text("the docs")]
                    ),
                    text("."),
                ]
            )
        );
        assert!(!format!("{got:?}").contains("evil.example"));
    }

    #[test]
    fn tables() {
        let got = parse("| kind | n |\n|---|--:|\n| oom | 3 |\n");
        let Node::Element {
            kind: Kind::Table,
            children,
        } = &got[0]
        else {
            panic!("{got:?}");
        };
        assert_eq!(
            children[0],
            el(
                Kind::TableHead,
                vec![
                    el(Kind::TableCell, vec![text("kind")]),
                    el(Kind::TableCell, vec![text("n")]),
                ]
            )
        );
        assert_eq!(
            children[1],
            el(
                Kind::TableRow,
                vec![
                    el(Kind::TableCell, vec![text("oom")]),
                    el(Kind::TableCell, vec![text("3")]),
                ]
            )
        );
    }

    #[test]
    fn unfinished_markdown_while_streaming() {
        // A fence still open mid-stream is a code block so far.
        let got = parse("Try:\n\n```\nkubectl get pods");
        assert_eq!(
            got[1],
            Node::CodeBlock {
                lang: None,
                text: "kubectl get pods".into()
            }
        );
        assert_eq!(plain_text(&parse("**bold")), "**bold");
    }
}
