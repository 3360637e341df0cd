#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// Single-precision matrix products through the platform's BLAS: Accelerate on Apple platforms,
/// OpenBLAS elsewhere (the `COpenBLAS` system library, Debian's `libopenblas-dev`). Every
/// product of the encoder goes through ``gemm(m:n:k:alpha:a:lda:b:ldb:transposeB:beta:c:ldc:)``.
enum BLAS {
    /// `C = alpha · A · op(B) + beta · C` on row-major matrices: `A` is `m × k` (row stride `lda`),
    /// `op(B)` is `k × n` (`B` itself `n × k` when `transposeB`; row stride `ldb`), `C` is `m × n`
    /// (row stride `ldc`). Dimensions are 32-bit in both BLAS interfaces.
    static func gemm(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            .init(m), .init(n), .init(k), alpha, a, .init(lda), b, .init(ldb), beta, c, .init(ldc))
    }
}
