using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Runtime.Cuda.Backend;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// NCCL on this machine: where it was found and its version; one rank's all-reduce, which must give back its input bit
    /// for bit; and with two or more GPUs an all-reduce over all of them against a float64 sum of the inputs on the CPU.
    /// One GPU needs no NCCL, so where it is missing the checks are skipped with the sentence saying where it was looked
    /// for, and the rest of the selftest runs as before.
    /// </summary>
    public sealed class NcclSelftest
    {
        /// <summary>Not a multiple of any chunk NCCL splits a buffer into, so its tail is exercised.</summary>
        private const int Elements = (1 << 20) + 3;
        private const byte Poison = 0xFF; // all-ones is NaN in fp16, bf16 and fp32
        private static readonly CudaElementType[] Types = { CudaElementType.Float16, CudaElementType.BFloat16, CudaElementType.Float32 };

        private readonly int _deviceIndex;
        private readonly Random _random = new(15);

        public NcclSelftest(int deviceIndex = 0) => _deviceIndex = deviceIndex;

        public IEnumerable<SelftestCheck> Run()
        {
            var library = Library();
            yield return library;
            if (library.Skipped || !library.Passed)
                yield break;
            foreach (var type in Types)
                yield return BackendSelftest.Guarded($"NCCL all-reduce on 1 rank (GPU {_deviceIndex}), {Elements} {NameOf(type)} values equal to the input", () => CheckOneRank(type));
            int gpus = CudaDevice.Count();
            if (gpus < 2)
            {
                yield return SelftestCheck.Skip("NCCL all-reduce across GPUs", $"this machine has {gpus} GPU, and an all-reduce across GPUs needs two or more");
                yield break;
            }
            foreach (var type in Types)
                yield return BackendSelftest.Guarded($"NCCL all-reduce across {gpus} GPUs, {Elements} {NameOf(type)} values each, against a float64 sum", () => CheckEveryGpu(type));
        }

        /// <summary>Found: a fact (INFO); missing: SKIP with the sentence; loaded but unusable: FAIL, with what went wrong.</summary>
        private static SelftestCheck Library()
        {
            try
            {
                return SelftestCheck.Info("NCCL", $"found: version {NcclLibrary.Version} at {NcclLibrary.Path}");
            }
            catch (CudaUnavailableException e)
            {
                return SelftestCheck.Skip("NCCL", e.Message);
            }
            catch (Exception e)
            {
                return new SelftestCheck("NCCL", false, $"{e.GetType().Name}: {e.Message}");
            }
        }

        /// <summary>A communicator of one rank (ncclGetUniqueId, ncclCommInitRank): the sum over one rank is its input, exactly.</summary>
        private (bool, string) CheckOneRank(CudaElementType type)
        {
            using var device = CudaDevice.Open(_deviceIndex);
            using var communicator = NcclCommunicator.InitRank(device, NcclUniqueId.Create(), rank: 0, rankCount: 1);
            var input = RandomValues(type);
            using var rank = new RankBuffers(device, input, type);
            communicator.AllReduceSum(rank.Send, rank.Receive, Elements, type, rank.Stream);
            var output = rank.Received();
            int different = Enumerable.Range(0, Elements).Count(i => !(output[i] == input[i]));
            return (different == 0, $"{Elements - different}/{Elements} outputs equal to the input");
        }

        /// <summary>
        /// Every GPU a rank (ncclCommInitAll), each with its own positive inputs: every rank must hold the sum. Positive
        /// terms cannot cancel, so n additions each rounding at most one unit of the type bound the relative error by n units.
        /// </summary>
        private (bool, string) CheckEveryGpu(CudaElementType type)
        {
            using var group = NcclDeviceGroup.OpenAll();
            int ranks = group.RankCount;
            var inputs = Enumerable.Range(0, ranks).Select(_ => RandomValues(type)).ToArray();
            var buffers = new List<RankBuffers>();
            try
            {
                foreach (var communicator in group.Communicators)
                    buffers.Add(new RankBuffers(communicator.Device, inputs[communicator.Rank], type));
                group.AllReduceSum(buffers.Select(b => (b.Send, b.Receive, b.Stream)).ToArray(), Elements, type);
                var expected = new double[Elements];
                foreach (var input in inputs)
                    for (int i = 0; i < Elements; i++)
                        expected[i] += input[i];
                double worst = 0;
                foreach (var rank in buffers)
                {
                    var output = rank.Received();
                    for (int i = 0; i < Elements; i++)
                        worst = Math.Max(worst, Math.Abs(output[i] - expected[i]) / expected[i]); // NaN (unwritten) stays NaN
                }
                double limit = ranks * UnitRoundoff(type);
                return (worst <= limit, BackendSelftest.Invariant($"worst relative error {worst:E2} over {ranks} ranks' outputs (limit {limit:E2}: {ranks} roundings of {NameOf(type)})"));
            }
            finally
            {
                foreach (var rank in buffers)
                    rank.Dispose();
            }
        }

        /// <summary>Values in [0.5, 1), as the type holds them.</summary>
        private float[] RandomValues(CudaElementType type)
        {
            var values = new float[Elements];
            for (int i = 0; i < Elements; i++)
                values[i] = 0.5f + 0.5f * _random.NextSingle();
            var bytes = new byte[(long)Elements * type.Bytes()];
            type.Narrow(values, bytes);
            type.Widen(bytes, values);
            return values;
        }

        private static double UnitRoundoff(CudaElementType type) => type switch
        {
            CudaElementType.Float16 => Math.Pow(2, -11),
            CudaElementType.BFloat16 => Math.Pow(2, -8),
            _ => Math.Pow(2, -24),
        };

        private static string NameOf(CudaElementType type) => type switch
        {
            CudaElementType.Float16 => "fp16",
            CudaElementType.BFloat16 => "bf16",
            _ => "fp32",
        };

        /// <summary>One rank's input uploaded, its output poisoned, and a stream of its GPU to queue the collective on.</summary>
        private sealed class RankBuffers : IDisposable
        {
            private readonly CudaDevice _device;
            private readonly CudaElementType _type;
            private readonly int _count;

            public RankBuffers(CudaDevice device, float[] input, CudaElementType type)
            {
                _device = device;
                _type = type;
                _count = input.Length;
                long bytes = (long)input.Length * type.Bytes();
                device.MakeCurrent();
                Stream = device.CreateStream();
                Send = device.AllocateDevice(bytes);
                Receive = device.AllocateDevice(bytes);
                using var staging = device.AllocatePinned(bytes);
                type.Narrow(input, staging.AsSpan<byte>());
                Stream.CopyAsync(Send, staging, bytes);
                Stream.FillAsync(Receive, Poison);
                Stream.Synchronize();
            }

            public CudaStream Stream { get; }
            public DeviceBuffer Send { get; }
            public DeviceBuffer Receive { get; }

            /// <summary>The output, once the stream has run everything queued on it, widened to fp32.</summary>
            public float[] Received()
            {
                _device.MakeCurrent();
                using var staging = _device.AllocatePinned(Receive.Bytes);
                Stream.CopyAsync(staging, Receive, Receive.Bytes);
                Stream.Synchronize();
                var values = new float[_count];
                _type.Widen(staging.AsSpan<byte>(), values);
                return values;
            }

            public void Dispose()
            {
                Send.Dispose();
                Receive.Dispose();
                Stream.Dispose();
            }
        }
    }
}
