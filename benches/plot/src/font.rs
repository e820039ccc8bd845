//! The font of the plots' text, read at run time (plotters' `ab_glyph` backend has no system fonts).

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use plotters::style::{FontStyle, register_font};

/// DejaVu Sans, from the Debian package [`FONT_PACKAGE`].
pub(crate) const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The Debian (and Ubuntu) package that installs [`FONT_PATH`].
pub(crate) const FONT_PACKAGE: &str = "fonts-dejavu-core";

/// The family name the plots ask for; every style falls back to the one registered font.
pub(crate) const FAMILY: &str = "sans-serif";

/// Reads the TrueType font at `path` and registers it as [`FAMILY`] for all later text.
///
/// Errors name the file and the package that provides it when it cannot be read, or when it is not
/// a font. The font's bytes are leaked (plotters keeps a `&'static` reference): call this once.
pub(crate) fn register(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the font {} (install it with `apt-get install {FONT_PACKAGE}`)",
            path.display()
        )
    })?;
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font(FAMILY, FontStyle::Normal, bytes).map_err(|_| {
        anyhow!(
            "{} is not a TrueType font (expected DejaVu Sans from {FONT_PACKAGE})",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_font_names_file_and_package() {
        let err = register(Path::new("/nonexistent/DejaVuSans.ttf")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("/nonexistent/DejaVuSans.ttf") && msg.contains(FONT_PACKAGE),
            "{msg}"
        );
    }
}
