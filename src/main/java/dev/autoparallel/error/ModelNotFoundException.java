package dev.autoparallel.error;

import java.util.List;

/** The model does not exist: not a local file, not in the catalog or the cache, and the Hub says no such repository. */
public class ModelNotFoundException extends AutoParallelException {
    private final String modelId;
    private final List<String> suggestions;

    public ModelNotFoundException(String modelId, String message, List<String> suggestions) {
        super(message);
        this.modelId = modelId;
        this.suggestions = List.copyOf(suggestions);
    }

    public String modelId() {
        return modelId;
    }

    /** Close catalog names ("did you mean"), best first; may be empty. */
    public List<String> suggestions() {
        return suggestions;
    }
}
