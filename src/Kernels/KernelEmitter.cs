using System.Linq;
using Kvpr.Kernels.Emission;

namespace Kvpr.Kernels
{
    /// <summary>
    /// Emits the CUDA kernels of a model as one readable translation unit specialised on its dimensions, with the
    /// signature and launch shape of every entry point. Deterministic: the same spec gives the same text and hash.
    /// </summary>
    public static class KernelEmitter
    {
        /// <exception cref="KernelEmitException">The spec is invalid (each problem with its code and field), or its query width is not Hidden.</exception>
        public static KernelSet Emit(ModelSpec spec)
        {
            var errors = spec.Validate();
            if (errors.Count > 0)
                throw new KernelEmitException(spec.Name, errors.ToArray());
            // The kernels index Q and the context by HIDDEN; a spec of a share of the heads (a tensor-parallel rank) is narrower.
            if (spec.QueryDim != spec.Hidden)
                throw new KernelEmitException(spec.Name, new[]
                {
                    new SpecError(ErrorCodes.UnsupportedHeadDim, nameof(ModelSpec.HeadDim),
                        $"the CUDA kernels need a query width Heads x HeadDim equal to Hidden ({spec.Hidden}), but model '{spec.Name}' has {spec.Heads} heads of {spec.HeadDim}, " +
                        $"a query width of {spec.QueryDim}."),
                });

            var tiling = AttentionTiling.For(spec);
            var source = new CudaSourceBuilder();
            Prelude.EmitHeader(spec, tiling, source);
            ModelConstants.Emit(spec, tiling, source);
            Prelude.EmitHelpers(source);
            EmbeddingKernel.Emit(spec, source);
            NormKernel.Emit(spec, source);
            ProjectionEpilogues.Emit(spec, source);
            AttentionKernels.Emit(spec, tiling, source);
            MlpKernels.Emit(spec, source);
            ResidualKernels.Emit(spec, source);
            SamplingKernels.Emit(source);
            return source.Build(spec.Name);
        }
    }
}
