package dev.autoparallel.memory;

import dev.autoparallel.model.DType;

import java.util.List;
import java.util.function.Supplier;

/**
 * The engine view of one layout, per GPU on its most constrained pipeline stage: what vLLM
 * would allocate and how much KV cache it would get.
 *
 * @param budgetBytes        total device memory x gpu_memory_utilization
 * @param weightsBytes       weights on the most loaded rank ("Model loading took ...")
 * @param activationBytes    peak of the profile run ("PyTorch activation peak memory")
 * @param nonTorchBytes      CUDA context, NCCL and other memory outside PyTorch's allocator
 * @param runnerStateBytes   what vLLM's runner keeps allocated per request slot beside the weights (from 0.28 the new
 *                           runner's penalty state, {@code VllmReleases.newRunnerPenaltyBytes}); vLLM's log counts it
 *                           with the weights as consumed memory, and other engines do not allocate it
 * @param cudaGraphBytes     CUDA-graph memory subtracted before sizing the KV cache (0 where vLLM does not)
 * @param kvCacheBytes       "Available KV cache memory" on the rank that limits the cache
 * @param kvCacheTokens      token slots of the KV cache (whole blocks), the minimum over ranks
 * @param maxConcurrency     requests of {@code maxModelLen} tokens the cache holds at once
 * @param kvBytesPerToken    KV bytes one token takes on that rank (all its layers)
 * @param rejection          null when vLLM would start; otherwise why not
 * @param numGpuBlocks       vLLM's num_blocks on the limiting rank (available // page size // group size)
 * @param kvCacheGroups      the KV cache groups on that rank, as vLLM's kv_cache_utils forms them
 * @param kvCacheNeededBytes what one request at max_model_len needs on that rank (vLLM's "X GiB KV cache is needed")
 * @param estimatedMaxModelLen vLLM's estimated maximum model length when it refuses for want of KV cache, else null
 * @param kvCacheDtype       what the cache stores (the model's dtype, or FP8 with --kv-cache-dtype fp8): the speed
 *                           model reads KV at this width
 * @param speculative        the speculative decoding this view holds the drafter of: the speed model drafts and
 *                           verifies as it says
 * @param blockSizeRequired  whether vLLM must be given {@code --block-size blockSize} for the model (MiniMax-M3's sparse
 *                           attention backends take no other, and vLLM does not pick it by itself)
 * @param enginePoolsSource  the limiting worker's cache layers as SGLang's and TensorRT-LLM's pools size them, worked out
 *                           on first use ({@link #enginePools}): a search sizes many layouts and asks few for them
 */
public record MemoryEstimate(Layout layout, long budgetBytes, long weightsBytes, long activationBytes,
                             long nonTorchBytes, long runnerStateBytes, long cudaGraphBytes, long kvCacheBytes,
                             long kvCacheTokens, double maxConcurrency, int maxModelLen, int maxNumSeqs, int maxNumBatchedTokens,
                             int blockSize, long kvBytesPerToken, Rejection rejection, long numGpuBlocks,
                             List<KvCacheGroup> kvCacheGroups, long kvCacheNeededBytes, Long estimatedMaxModelLen,
                             DType kvCacheDtype, SpeculativeDecoding speculative, boolean blockSizeRequired,
                             Supplier<EnginePools> enginePoolsSource) {

    public MemoryEstimate {
        kvCacheGroups = List.copyOf(kvCacheGroups);
    }

    /**
     * One KV cache group: the spec its layers share, how many of them are on the rank, its block
     * size in tokens and the blocks one request at max_model_len takes in it.
     */
    public record KvCacheGroup(String kind, int layers, int blockSize, long blocksPerRequest) {
    }

    /**
     * Why a layout is refused, with a sentence for people. The sentence is built on first use:
     * a search rejects many layouts and reads few of the reasons.
     */
    public static final class Rejection {
        private final RejectionReason reason;
        private Supplier<String> text;
        private String detail;

        public Rejection(RejectionReason reason, Supplier<String> text) {
            this.reason = reason;
            this.text = text;
        }

        public Rejection(RejectionReason reason, String detail) {
            this.reason = reason;
            this.detail = detail;
        }

        public RejectionReason reason() {
            return reason;
        }

        public synchronized String detail() {
            if (detail == null) {
                detail = text.get();
                text = null;
            }
            return detail;
        }

        @Override
        public String toString() {
            return reason + ": " + detail();
        }
    }

    /** The limiting worker's cache layers as SGLang's and TensorRT-LLM's pools size them. */
    public EnginePools enginePools() {
        return enginePoolsSource.get();
    }

    /** A value worked out once, on first use. */
    static final class Once<T> implements Supplier<T> {
        private Supplier<T> source;
        private volatile T value;

        Once(Supplier<T> source) {
            this.source = source;
        }

        static <T> Once<T> of(T value) {
            Once<T> o = new Once<>(null);
            o.value = value;
            return o;
        }

        @Override
        public T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    if (value == null) {
                        value = source.get();
                        source = null;
                    }
                    v = value;
                }
            }
            return v;
        }
    }

    public boolean fits() {
        return rejection == null;
    }

    public long overheadBytes() {
        return nonTorchBytes + runnerStateBytes + cudaGraphBytes;
    }
}
