//! Media types and annotation keys, with the specification text each one comes from.
//!
//! Istio fetches `oci://` modules in `pkg/wasm/imagefetcher.go`, which implements the "Wasm Image
//! Specification" of solo-io/wasm (`spec/README.md`) in two variants and tries them in this order:
//!
//! * **compat** (`spec/spec-compat.md`, "Specification / Layer"): "The *compat* variant must have
//!   the last layer whose media type is one of the followings:
//!   `application/vnd.oci.image.layer.v1.tar+gzip`, `application/vnd.docker.image.rootfs.diff.tar.gzip`.
//!   In addition, such last layer must consist of the following two files: `plugin.wasm` -
//!   (**Required**) A Wasm binary to be loaded by the runtime. `runtime-config.json` -
//!   (**Optional**)". "Annotation": "a *compat* variant image *should* add the annotation
//!   `module.wasm.image/variant=compat` in the manifest".
//! * **oci** (`spec/spec.md`, "Format"): "The WASM OCI Artifact Spec consists of two layers bundled
//!   together: A layer specifying configuration for the target runtime; A layer containing the
//!   compiled WASM module itself", media types `application/vnd.module.wasm.config.v1+json`
//!   ("Configuration for the Target WASM runtime") and
//!   `application/vnd.module.wasm.content.layer.v1+wasm` ("The compiled module data"). Istio
//!   takes "two layers" literally: `extractOCIArtifactImage` fails with "number of layers must
//!   be 2" unless the manifest's `layers` has exactly two entries, and picks the Wasm one by media
//!   type (its own test appends a config-JSON layer and a Wasm layer to an empty image). So the
//!   runtime configuration is the first *layer*, the module the second, and the manifest's
//!   `config` is an ordinary OCI image configuration; an image pushed with the runtime
//!   configuration as the manifest config (one layer) is refused by Istio.
//!
//! The image layout written by `build` follows the OCI Image Layout Specification
//! (opencontainers/image-spec `image-layout.md`: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`).

/// OCI image manifest (image-spec `manifest.md`).
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index, the media type of the layout's `index.json` (image-spec `image-index.md`).
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image configuration (image-spec `config.md`), the compat variant's config.
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// The compat variant's layer: a gzip-compressed tar holding `plugin.wasm`.
pub const LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The same layer as Docker images name it (accepted when pulling).
pub const DOCKER_LAYER_TAR_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker's image manifest (accepted when pulling).
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The oci variant's runtime configuration.
pub const WASM_CONFIG: &str = "application/vnd.module.wasm.config.v1+json";
/// The oci variant's module layer: the raw `.wasm` bytes.
pub const WASM_LAYER: &str = "application/vnd.module.wasm.content.layer.v1+wasm";

/// The file name Istio looks for in the compat layer (`extractWasmPluginBinary`).
pub const PLUGIN_WASM: &str = "plugin.wasm";

/// Annotation keys. `org.opencontainers.image.*` are the pre-defined keys of image-spec
/// `annotations.md`; the module's digest has no pre-defined key, so it lives under the project's
/// own reverse-DNS prefix, as `annotations.md` asks ("Annotations MUST use reverse domain notation").
pub mod annotation {
    /// "URL to get source code for building the image".
    pub const SOURCE: &str = "org.opencontainers.image.source";
    /// "Version of the packaged software".
    pub const VERSION: &str = "org.opencontainers.image.version";
    /// "Human-readable title of the image"; on a layer, its file name (as ORAS does).
    pub const TITLE: &str = "org.opencontainers.image.title";
    /// "Human-readable description of the software packaged in the image".
    pub const DESCRIPTION: &str = "org.opencontainers.image.description";
    /// "License(s) under which contained software is distributed" (SPDX).
    pub const LICENSES: &str = "org.opencontainers.image.licenses";
    /// "Name of the reference for a target", used in the layout's `index.json` (the tag).
    pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
    /// The compat spec's variant marker.
    pub const VARIANT: &str = "module.wasm.image/variant";
    /// The SHA-256 of the `.wasm` module itself, lowercase hex: what Envoy's
    /// `remote.sha256` and Istio's `sha256` for `http(s)://` URLs compare.
    pub const MODULE_SHA256: &str = "com.github.gateway-hardening.module.sha256";
}
