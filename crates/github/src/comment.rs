//! `github comment`: one pull-request comment per image and platform,
//! created the first time and edited afterwards. The comment is recognised by
//! the hidden marker the Markdown summary starts with.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{Client, Error};
use portcullis_report::MARKER_PREFIX;

/// What `comment` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentOutcome {
    Created(u64),
    Updated(u64),
}

#[derive(Deserialize)]
struct IssueComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    body: &'a str,
}

/// GitHub returns at most this many comments per page.
const PER_PAGE: usize = 100;

/// The marker line of a summary: its first line when it is one, else a default.
fn marker_of(summary: &str) -> String {
    summary
        .lines()
        .next()
        .filter(|line| line.starts_with(MARKER_PREFIX))
        .map_or_else(|| format!("{MARKER_PREFIX} default -->"), str::to_owned)
}

/// Posts `summary` (a `--format markdown` file) on pull request `number`,
/// replacing the comment an earlier run left for the same image.
pub fn comment(client: &Client, summary: &str, number: u64) -> Result<CommentOutcome, Error> {
    let marker = marker_of(summary);
    let body = if summary.starts_with(&marker) {
        summary.to_owned()
    } else {
        format!("{marker}\n{summary}")
    };
    let issue = format!("{}/issues/{number}/comments", client.repo_route());
    let mut existing = None;
    for page in 1.. {
        let route = format!("{issue}?per_page={PER_PAGE}&page={page}");
        let comments: Vec<IssueComment> = client.get(
            &route,
            &format!("list the comments of pull request {number}"),
        )?;
        existing = comments
            .iter()
            .find(|c| {
                c.body
                    .as_deref()
                    .is_some_and(|b| b.lines().any(|l| l == marker))
            })
            .map(|c| c.id);
        if existing.is_some() || comments.len() < PER_PAGE {
            break;
        }
    }
    let payload = Body { body: &body };
    match existing {
        Some(id) => {
            let route = format!("{}/issues/comments/{id}", client.repo_route());
            let _: serde_json::Value = client.send(
                Method::PATCH,
                &route,
                &payload,
                &format!("update comment {id}"),
            )?;
            Ok(CommentOutcome::Updated(id))
        }
        None => {
            let created: IssueComment = client.send(
                Method::POST,
                &issue,
                &payload,
                &format!("comment on pull request {number}"),
            )?;
            Ok(CommentOutcome::Created(created.id))
        }
    }
}
