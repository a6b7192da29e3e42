package dev.autoparallel.hardware;

/** GPU vendor: decides the runtime's fixed memory costs and which kernels vLLM picks. */
public enum Vendor { NVIDIA, AMD }
