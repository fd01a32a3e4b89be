//! Which input document a module gets, from its metadata: ABI v1 modules
//! (and OPA bundles, and modules without metadata) get the whole
//! `portcullis.policy/v1` document; a `portcullis.policy/v2` module names
//! the parts it reads (`reads`: `target`, `packages`, `findings`, `checks`,
//! `diagnostics`) and gets only those, in v2's compact form (see
//! `policies/ABI.md`), and always the diagnostics: what the analysis could
//! not evaluate reaches every module. Modules of one shape share one
//! document per run.

use crate::{Error, Policy};

/// The `abi` a v2 module's metadata names.
pub const API_VERSION_V2: &str = "portcullis.policy/v2";

/// A part of the input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Target,
    Packages,
    Findings,
    Checks,
    Diagnostics,
}

impl Part {
    const ALL: [Part; 5] = [
        Part::Target,
        Part::Packages,
        Part::Findings,
        Part::Checks,
        Part::Diagnostics,
    ];

    fn name(self) -> &'static str {
        match self {
            Part::Target => "target",
            Part::Packages => "packages",
            Part::Findings => "findings",
            Part::Checks => "checks",
            Part::Diagnostics => "diagnostics",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The document a module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// The whole v1 document.
    V1,
    /// The v2 document with these parts (a bit per [`Part`]).
    V2(u8),
}

impl Shape {
    /// Whether the document carries `part`.
    pub fn reads(self, part: Part) -> bool {
        match self {
            Shape::V1 => true,
            Shape::V2(bits) => bits & part.bit() != 0,
        }
    }

    /// The shape `policy`'s metadata asks for; a v2 module that names a
    /// part the ABI does not have is refused before anything is read.
    pub fn of(policy: &Policy) -> Result<Shape, Error> {
        let Some(metadata) = policy.metadata() else {
            return Ok(Shape::V1);
        };
        if metadata.get("abi").and_then(|a| a.as_str()) != Some(API_VERSION_V2) {
            return Ok(Shape::V1);
        }
        let Some(reads) = metadata.get("reads") else {
            return Ok(Shape::V2(
                Part::ALL.iter().fold(0, |bits, p| bits | p.bit()),
            ));
        };
        let names = reads.as_array().ok_or_else(|| Error::Unsupported {
            module: policy.name.clone(),
            what: "metadata whose `reads` is not a list of parts",
        })?;
        let mut bits = 0;
        for name in names {
            let part = Part::ALL
                .iter()
                .find(|p| Some(p.name()) == name.as_str())
                .ok_or_else(|| Error::Unsupported {
                    module: policy.name.clone(),
                    what: "metadata whose `reads` names a part the input does not have (target, packages, findings, checks, diagnostics)",
                })?;
            bits |= part.bit();
        }
        Ok(Shape::V2(bits))
    }
}
