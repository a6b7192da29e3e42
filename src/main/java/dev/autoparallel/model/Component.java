package dev.autoparallel.model;

/** What a tensor belongs to; the parameter breakdown is by component. */
public enum Component {
    EMBEDDING("embeddings"),
    ATTENTION("attention"),
    DENSE_MLP("dense_mlp"),
    ROUTER("router"),
    ROUTED_EXPERTS("routed_experts"),
    SHARED_EXPERTS("shared_experts"),
    NORM("norms"),
    LM_HEAD("lm_head"),
    VISION("vision_tower"),
    MTP("mtp");

    private final String key;

    Component(String key) {
        this.key = key;
    }

    /** The snake_case key used in JSON output. */
    public String key() {
        return key;
    }
}
