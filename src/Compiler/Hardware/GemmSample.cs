namespace Kvpr
{
    /// <summary>A measured fp16 GEMM (fp32 accumulate): C[M,N] = A[M,K] · B[K,N] at the given rate.</summary>
    public sealed record GemmSample(long M, long K, long N, double FlopsPerSecond);
}
