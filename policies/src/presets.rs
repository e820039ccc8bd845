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

/// Every shipped preset.
pub const ALL: &[Preset] = &[
    Preset {
        filter: "context-allowlist",
        product: "wso2-is",
        json: include_str!("../presets/context-allowlist/wso2-is.json"),
    },
    Preset {
        filter: "context-allowlist",
        product: "wso2-apim",
        json: include_str!("../presets/context-allowlist/wso2-apim.json"),
    },
    Preset {
        filter: "context-allowlist",
        product: "wso2-mi",
        json: include_str!("../presets/context-allowlist/wso2-mi.json"),
    },
    Preset {
        filter: "tls-guard",
        product: "wso2-is",
        json: include_str!("../presets/tls-guard/wso2-is.json"),
    },
    Preset {
        filter: "tls-guard",
        product: "wso2-apim",
        json: include_str!("../presets/tls-guard/wso2-apim.json"),
    },
    Preset {
        filter: "tls-guard",
        product: "wso2-mi",
        json: include_str!("../presets/tls-guard/wso2-mi.json"),
    },
    Preset {
        filter: "header-hardening",
        product: "wso2-is",
        json: include_str!("../presets/header-hardening/wso2-is.json"),
    },
    Preset {
        filter: "header-hardening",
        product: "wso2-apim",
        json: include_str!("../presets/header-hardening/wso2-apim.json"),
    },
    Preset {
        filter: "header-hardening",
        product: "wso2-mi",
        json: include_str!("../presets/header-hardening/wso2-mi.json"),
    },
];

/// The preset for `filter` and `product`, if shipped.
pub fn find(filter: &str, product: &str) -> Option<&'static Preset> {
    ALL.iter()
        .find(|p| p.filter == filter && p.product == product)
}
