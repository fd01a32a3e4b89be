//! Checks of the files the layer walker noted (modes, package caches) and of
//! the installed packages (sudo, an SSH server).

use std::collections::BTreeMap;

use super::rules::{self, Rule};
use super::CheckFinding;
use portcullis_catalog::Package;
use portcullis_layer::View;

/// Package-manager caches: a file below one of these is left over.
const CACHE_DIRS: [&str; 4] = [
    "var/lib/apt/lists/",
    "var/cache/apt/archives/",
    "var/cache/apk/",
    "root/.cache/pip/",
];

/// setuid/setgid files a distribution ships on purpose.
const KNOWN_SETUID: [&str; 24] = [
    "bin/su",
    "bin/mount",
    "bin/umount",
    "bin/ping",
    "usr/bin/su",
    "usr/bin/mount",
    "usr/bin/umount",
    "usr/bin/passwd",
    "usr/bin/chsh",
    "usr/bin/chfn",
    "usr/bin/gpasswd",
    "usr/bin/newgrp",
    "usr/bin/chage",
    "usr/bin/expiry",
    "usr/bin/wall",
    "usr/bin/write",
    "usr/bin/crontab",
    "usr/bin/ssh-agent",
    "usr/sbin/unix_chkpwd",
    "sbin/unix_chkpwd",
    "usr/sbin/pam_extrausers_chkpwd",
    "usr/lib/openssh/ssh-keysign",
    "usr/lib/dbus-1.0/dbus-daemon-launch-helper",
    "usr/bin/ping",
];

fn cache_dir(path: &str) -> Option<&'static str> {
    CACHE_DIRS.iter().copied().find(|dir| {
        path.starts_with(dir)
            && !path.ends_with("/lock")
            && !path[dir.len()..].starts_with("partial")
            && (!dir.ends_with("archives/") || path.ends_with(".deb"))
    })
}

/// What the walker notes: setuid/setgid or world-writable files, and caches.
pub(super) fn is_notable(path: &str, mode: u32) -> bool {
    mode & 0o6000 != 0 || mode & 0o002 != 0 || cache_dir(path).is_some()
}

fn file_finding(
    rule: &'static Rule,
    path: &str,
    layer: Option<usize>,
    message: String,
) -> CheckFinding {
    CheckFinding {
        rule,
        path: Some(path.to_owned()),
        layer,
        message,
        excerpt: None,
        line: None,
    }
}

/// The file checks.
pub(super) fn check(view: &View, packages: &[Package]) -> Vec<CheckFinding> {
    let mut found = Vec::new();
    let mut caches: BTreeMap<&'static str, (usize, Option<usize>)> = BTreeMap::new();
    for (notable, layer) in view.notes() {
        let path = notable.path.as_str();
        if notable.mode & 0o6000 != 0 && !KNOWN_SETUID.contains(&path) {
            let bits = match (notable.mode & 0o4000 != 0, notable.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            found.push(file_finding(
                &rules::SETUID_FILE,
                path,
                layer,
                format!("/{path} is {bits} (mode {:o})", notable.mode & 0o7777),
            ));
        }
        if notable.mode & 0o002 != 0 && !path.starts_with("tmp/") && !path.starts_with("var/tmp/") {
            found.push(file_finding(
                &rules::WORLD_WRITABLE,
                path,
                layer,
                format!(
                    "/{path} is world-writable (mode {:o})",
                    notable.mode & 0o7777
                ),
            ));
        }
        if let Some(dir) = cache_dir(path) {
            let slot = caches.entry(dir).or_insert((0, layer));
            slot.0 += 1;
        }
    }
    for (dir, (count, layer)) in caches {
        let path = dir.trim_end_matches('/');
        found.push(file_finding(
            &rules::PACKAGE_CACHE,
            path,
            layer,
            format!("/{path} holds {count} cached files"),
        ));
    }
    for package in packages {
        let rule = match package.name.as_str() {
            "sudo" => &rules::SUDO_INSTALLED,
            "openssh-server" | "dropbear" | "dropbear-bin" => &rules::SSH_SERVER,
            _ => continue,
        };
        let location = package.locations.first();
        found.push(file_finding(
            rule,
            location.map_or("", |l| l.path.trim_start_matches('/')),
            location.and_then(|l| l.layer),
            format!("{} {} is installed", package.name, package.version),
        ));
    }
    found
}
