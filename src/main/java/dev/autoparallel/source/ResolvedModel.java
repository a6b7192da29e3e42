package dev.autoparallel.source;

import dev.autoparallel.model.ModelSpec;

/** A parsed model and where its config came from. */
public record ResolvedModel(ModelSpec spec, Origin origin, String location) {
    /** The resolution steps, in the order they are tried. */
    public enum Origin {
        LOCAL_FILE("local file"), CATALOG("embedded catalog"), HF_CACHE("Hugging Face cache"), HUB("Hugging Face Hub");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
