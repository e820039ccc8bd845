//! Placeholder: the lint of Envoy and Istio configurations.
