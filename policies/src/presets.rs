//! The presets shipped in `policies/presets/<filter>/<product>.json`: complete plugin
//! configurations for WSO2 Identity Server (`wso2-is`), API Manager (`wso2-apim`) and Micro
//! Integrator (`wso2-mi`), built from the seed guidelines. Users copy one and adjust it.

/// One shipped preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The filter it configures (`context-allowlist`).
    pub filter: &'static str,
    /// The product (`wso2-is`).
    pub product: &'static str,
    /// The JSON plugin configuration.
    pub json: &'static str,
}

/// A [`Preset`] from `presets/<filter>/<product>.json`, so a name and its file cannot disagree.
macro_rules! preset {
    ($filter:literal, $product:literal) => {
        Preset {
            filter: $filter,
            product: $product,
            json: include_str!(concat!("../presets/", $filter, "/", $product, ".json")),
        }
    };
}

/// Every shipped preset.
pub const ALL: &[Preset] = &[
    preset!("context-allowlist", "wso2-is"),
    preset!("context-allowlist", "wso2-apim"),
    preset!("context-allowlist", "wso2-mi"),
    preset!("tls-guard", "wso2-is"),
    preset!("tls-guard", "wso2-apim"),
    preset!("tls-guard", "wso2-mi"),
    preset!("header-hardening", "wso2-is"),
    preset!("header-hardening", "wso2-apim"),
    preset!("header-hardening", "wso2-mi"),
];

/// The preset for `filter` and `product`, if shipped.
pub fn find(filter: &str, product: &str) -> Option<&'static Preset> {
    ALL.iter()
        .find(|p| p.filter == filter && p.product == product)
}
