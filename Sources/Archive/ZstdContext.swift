import CZstd

/// A new zstd compression context at `level`, for the compressors of this
/// module; the caller frees it with `ZSTD_freeCCtx`.
func makeZstdContext(level: Int) throws -> OpaquePointer {
    guard let context = ZSTD_createCCtx() else {
        throw ArchiveError.libarchive(operation: "create a zstd context", message: "out of memory")
    }
    let status = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
    guard ZSTD_isError(status) == 0 else {
        ZSTD_freeCCtx(context)
        throw zstdError("set zstd level \(level)", status)
    }
    return context
}

/// The error for a zstd result code that `ZSTD_isError` flags.
func zstdError(_ operation: String, _ code: Int) -> ArchiveError {
    .libarchive(operation: operation, message: String(cString: ZSTD_getErrorName(code)))
}
