//! The built-in `vargai/*` modules: which specifiers resolve to them and what they export.
//!
//! One list serves both the compile-time import check and the generated module source, so the
//! two can never disagree.

/// Every name the built-in modules export (besides `default`), also installed as globals.
pub(crate) const EXPORTS: &[&str] = &[
    // components
    "Render",
    "Clip",
    "Image",
    "Video",
    "Speech",
    "Music",
    "Captions",
    "Title",
    "Subtitle",
    "Overlay",
    "Split",
    "Grid",
    "Slot",
    "Slider",
    "Swipe",
    "Packshot",
    "TalkingHead",
    // JSX runtime (automatic, dev, and the classic fallback oxc uses for `{...p} key=`)
    "Fragment",
    "jsx",
    "jsxs",
    "jsxDEV",
    "createElement",
    // local-run entry point (D17)
    "render",
    // providers
    "varg",
    "fal",
    "elevenlabs",
    "higgsfield",
    "openai",
    "replicate",
    "google",
    "together",
    // data
    "VOICES",
];

/// `vargai`, `vargai/<anything>` and `@vargai/<anything>` (D15).
pub(crate) fn is_allowed_module(specifier: &str) -> bool {
    specifier == "vargai"
        || specifier
            .strip_prefix("vargai/")
            .is_some_and(|rest| !rest.is_empty())
        || specifier
            .strip_prefix("@vargai/")
            .is_some_and(|rest| !rest.is_empty())
}

pub(crate) fn is_export(name: &str) -> bool {
    name == "default" || EXPORTS.contains(&name)
}

/// Source of the single module every allowed specifier resolves to.
pub(crate) fn module_source() -> String {
    format!(
        "const V = globalThis.__varg.exports;\nexport const {{ {} }} = V;\nexport default V;\n",
        EXPORTS.join(", ")
    )
}

pub(crate) fn forbidden_import_message(specifier: &str) -> String {
    format!("import of \"{specifier}\" is not allowed: only vargai/* modules are available")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_specifiers() {
        for ok in [
            "vargai",
            "vargai/react",
            "vargai/ai",
            "vargai/react/jsx-dev-runtime",
            "@vargai/gateway",
        ] {
            assert!(is_allowed_module(ok), "{ok}");
        }
        for bad in [
            "lodash", "vargai/", "@vargai/", "vargaix", "./vargai", "node:fs",
        ] {
            assert!(!is_allowed_module(bad), "{bad}");
        }
    }
}
