package dev.autoparallel.memory;

/**
 * What SGLang's and TensorRT-LLM's memory pools see of the cache layers of the worker that limits vLLM's cache (one
 * pipeline stage, one TP rank): the layers each engine sizes its pools from, in bytes per token and per request.
 *
 * @param fullBytesPerToken        bytes one token takes in the full-attention and MLA layers together
 * @param fullLayers               those layers
 * @param slidingBytesPerToken     bytes one token takes in the sliding-window and chunked layers together, each at its
 *                                 own width
 * @param slidingLayers            those layers
 * @param stateBytesPerRequest     the Mamba / linear-attention state of one request over the state layers as SGLang holds
 *                                 it: convolution state in bfloat16, recurrent state in float32 (0 without such layers)
 * @param stateLayers              those layers
 * @param sglangIndexedBytesPerToken bytes one token takes in the DSA layers (MLA latent and indexer key) as SGLang's NSA
 *                                 pool stores them on this GPU: bf16 latents on Hopper, fp8 from compute capability 10 or
 *                                 with an fp8 cache
 * @param indexedLayers            those layers
 * @param trtllmStateBytesPerRequest the Mamba-2 or Qwen3-Next state of one request as TensorRT-LLM 1.1 / 1.2's
 *                                 MambaHybridCacheManager holds it (both states in the model dtype); 0 where it is not
 *                                 modelled
 * @param sglangSplitsSliding      whether SGLang gives this family's sliding layers a pool of their own (its hybrid SWA
 *                                 allowlist); otherwise it sizes every layer as a full-attention layer
 * @param unmodelled               the first layer kind or family neither engine's pools are modelled for, or null
 */
public record EnginePools(long fullBytesPerToken, int fullLayers, long slidingBytesPerToken, int slidingLayers,
                          long stateBytesPerRequest, int stateLayers, long sglangIndexedBytesPerToken,
                          int indexedLayers, long trtllmStateBytesPerRequest, boolean sglangSplitsSliding,
                          String unmodelled) {

    /** A worker with no cache layers, or a cache vLLM itself does not size. */
    static EnginePools unmodelled(String why) {
        return new EnginePools(0, 0, 0, 0, 0, 0, 0, 0, 0, false, why);
    }

    /** Bytes one token takes when every attention layer holds the whole context (one pool, as TensorRT-LLM sizes it). */
    public long allLayersFullBytesPerToken() {
        return fullBytesPerToken + slidingBytesPerToken;
    }
}
