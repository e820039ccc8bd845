//! The built-in patterns, one per family of markup that carries script. Each is matched ASCII
//! case-insensitively over every canonical form of a value (see `decode`), so none needs to
//! spell an encoding. The index of a pattern is what a log line reports (`pattern=2`).
//!
//! A tag opens where the HTML tokenizer opens one (WHATWG HTML §13.2.5.6, "tag open state"):
//! `<` immediately followed by an ASCII letter, and a tag name ends at whitespace, `/` or `>`
//! (§13.2.5.8). So `a < b`, `<3` and `<scripted>` are text or another element, never
//! `<script`. The list is shaped after the product's own `XSSValve`
//! (`org.wso2.carbon.ui.valve`: `<script`, `<img`, `<body`, `<link`, `<input`, `javascript:`,
//! `vbscript:`, `onload…=`, `onMouse`, `eval(`, `expression(`) and the OWASP XSS filter evasion
//! cheat sheet.

/// The built-in patterns, by index:
/// 0. a `script` element, opening or closing;
/// 1. an element that loads or runs content, or changes how the page parses or resolves URLs,
///    without any suspicious attribute: `iframe`, `frame`, `frameset`, `object`, `embed`,
///    `applet`, `portal`, `base`, `meta` (`http-equiv=refresh`), `link`, `style`, `form`,
///    `input`, the foreign-content roots `svg` and `math` (mutation XSS), and the media and
///    interactive elements that classic payloads use (`img`, `image`, `video`, `audio`,
///    `body`, `details`, `marquee`);
/// 2. an event handler attribute (`on` and three or more letters), `srcdoc` or `formaction`,
///    with its `=`, where an attribute can start: after whitespace or a quote that ends an
///    attribute value (`" onfocus=…`), or inside a tag after `/` (`<x/onclick=…>`); so
///    `onboarding=1` on its own or after `?` is not one;
/// 3. a `javascript:`, `vbscript:` or `livescript:` URL;
/// 4. a `data:` URL of a document that runs script (`text/html`, `application/xhtml+xml`,
///    `image/svg+xml`, `text/xml`);
/// 5. CSS `expression(`;
/// 6. JavaScript calls that run a string: `eval(`, `setTimeout(`, `setInterval(`, `Function(`.
pub const DEFAULT_PATTERNS: &[&str] = &[
    r"</?script(?:[\s/>]|$)",
    r"<(?:iframe|frame|frameset|object|embed|applet|portal|base|meta|link|style|form|input|svg|math|img|image|video|audio|body|details|marquee)(?:[\s/>]|$)",
    r#"(?:["'`\s]|<[a-z][^>]*/)[\s/]*(?:on[a-z]{3,}|srcdoc|formaction)\s*="#,
    r"(?:java|vb|live)script:",
    r"data:\s*(?:text/html|application/xhtml\+xml|image/svg[+ ]xml|text/xml)",
    r"expression\s*\(",
    r"\b(?:eval|setTimeout|setInterval|Function)\s*\(",
];
