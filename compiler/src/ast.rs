//! The syntax tree: keyword lines and the blocks that follow them.
//!
//! keepalived's grammar is tiny: a statement is a line of words, and a
//! statement may own a `{ ... }` block, whose `{` may be on the same line or
//! the next. Keyword blocks and value blocks (`virtual_ipaddress { ... }`)
//! look the same here; the lowering decides which it expects.

use crate::diag::Diagnostics;
use crate::lex::{Item, LogicalLine, Token};
use crate::source::Span;

crate::codes! {
    UNEXPECTED_OPEN = 20, Error, "a `{` that follows no keyword";
    EXTRA_CLOSE = 21, Error, "a `}` that closes no block";
    MISSING_CLOSE = 22, Error, "a `{` that is never closed";
}

#[derive(Clone, Debug)]
pub struct Node {
    pub line: LogicalLine,
    pub block: Option<Block>,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub open: Span,
    pub close: Option<Span>,
    pub children: Vec<Node>,
}

impl Node {
    /// The first word. Nodes always have at least one word.
    pub fn keyword(&self) -> &Token {
        &self.line.tokens[0]
    }

    pub fn kw(&self) -> &str {
        &self.line.tokens[0].text
    }

    /// The words after the keyword.
    pub fn args(&self) -> &[Token] {
        &self.line.tokens[1..]
    }

    pub fn span(&self) -> Span {
        self.line.span()
    }

    /// Whether the block holds a line starting with one of `keywords`
    /// (whatever became of its value).
    pub fn has_child(&self, keywords: &[&str]) -> bool {
        self.children().iter().any(|c| keywords.contains(&c.kw()))
    }

    pub fn children(&self) -> &[Node] {
        match &self.block {
            Some(b) => &b.children,
            None => &[],
        }
    }
}

struct Frame {
    open: Span,
    /// Index path is not needed: we build bottom-up.
    children: Vec<Node>,
    /// `false` for a stray `{` whose contents we drop.
    attached: bool,
}

/// Builds the tree, reporting unbalanced braces. Never fails.
pub fn build(items: Vec<Item>, diags: &mut Diagnostics) -> Vec<Node> {
    let mut out = Vec::new();
    let mut b = TreeBuilder::default();
    for item in items {
        b.push(item, diags, &mut |n| out.push(n));
    }
    b.finish(diags, &mut |n| out.push(n));
    out
}

/// Builds the tree one item at a time and hands over each top-level
/// node as soon as it is complete, so a large file never has to be held
/// as a whole tree.
#[derive(Default)]
pub struct TreeBuilder {
    /// Top-level nodes not handed over yet (the last may still get its
    /// block).
    root: Vec<Node>,
    stack: Vec<Frame>,
    prev_was_line: bool,
}

impl TreeBuilder {
    pub fn push(
        &mut self,
        item: Item,
        diags: &mut Diagnostics,
        out: &mut dyn FnMut(Node),
    ) {
        match item {
            Item::Line(line) => {
                let node = Node { line, block: None };
                match self.stack.last_mut() {
                    Some(f) => f.children.push(node),
                    None => self.root.push(node),
                }
                self.prev_was_line = true;
            }
            Item::Open(span) => {
                let siblings = match self.stack.last() {
                    Some(f) => &f.children,
                    None => &self.root,
                };
                let attachable = self.prev_was_line
                    && siblings.last().is_some_and(|n| n.block.is_none());
                if !attachable {
                    diags
                        .report(&UNEXPECTED_OPEN, span, "`{` follows no keyword")
                        .with_label("this block has no keyword")
                        .with_help(
                            "put the block's keyword before `{`, or remove the brace",
                        );
                }
                self.stack.push(Frame {
                    open: span,
                    children: Vec::new(),
                    attached: attachable,
                });
                self.prev_was_line = false;
            }
            Item::Close(span) => {
                self.prev_was_line = false;
                let Some(frame) = self.stack.pop() else {
                    diags
                        .report(&EXTRA_CLOSE, span, "`}` closes no block")
                        .with_help("remove this brace, or find the `{` it was meant to close");
                    return;
                };
                close_frame(frame, Some(span), &mut self.stack, &mut self.root);
            }
        }
        if self.stack.is_empty() {
            let open_last = self.prev_was_line
                && self.root.last().is_some_and(|n| n.block.is_none());
            let done = self.root.len() - usize::from(open_last);
            for n in self.root.drain(..done) {
                out(n);
            }
        }
    }

    /// Closes what is still open at the end of the input.
    pub fn finish(
        mut self,
        diags: &mut Diagnostics,
        out: &mut dyn FnMut(Node),
    ) {
        while let Some(frame) = self.stack.pop() {
            diags
                .report(&MISSING_CLOSE, frame.open, "this `{` is never closed")
                .with_label("opened here")
                .with_note("everything after it up to the end of the file was read as part of this block");
            close_frame(frame, None, &mut self.stack, &mut self.root);
        }
        for n in self.root.drain(..) {
            out(n);
        }
    }
}

fn close_frame(
    frame: Frame,
    close: Option<Span>,
    stack: &mut [Frame],
    root: &mut Vec<Node>,
) {
    if !frame.attached {
        return;
    }
    let siblings = match stack.last_mut() {
        Some(f) => &mut f.children,
        None => root,
    };
    if let Some(owner) = siblings.last_mut() {
        owner.block = Some(Block {
            open: frame.open,
            close,
            children: frame.children,
        });
    }
}
