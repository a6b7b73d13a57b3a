using System.Collections.Generic;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Planning;

namespace Kvpr.Execution
{
    /// <summary>
    /// The device buffers of one generation, allocated once from its <see cref="DeviceBufferList"/> (the list the
    /// planner counts): per micro-batch a hidden state and logits; two K/V slots and two activation slots shared by
    /// the offloaded layers (a layer loads into one while its predecessor computes from the other); K and V of every
    /// micro-batch for each KV-resident layer; the resident layers' weights (uploaded here from the host copy) and two
    /// weight slots for the streamed ones; the compute scratch and the GEMM library's workspace, which each backend takes by role. A device may take them
    /// all as one block (<see cref="IDevice.Reserve"/>).
    /// </summary>
    internal sealed class StepBuffers
    {
        public const int Slots = 2;

        private readonly Dictionary<(DeviceBufferRole, int), IDeviceBuffer> _buffers = new();

        public StepBuffers(IDevice device, ModelSpec spec, DeviceBufferShape shape, IReadOnlyList<PlannedBuffer> planned, HostWeights host)
        {
            MaxBatch = shape.MaxBatch;
            Capacity = shape.Capacity;
            MaxNewTokens = shape.MaxNewTokens;
            var resident = new LayerWeights?[spec.Layers];
            var slots = new List<LayerWeights>();
            var upload = device.CreateStream();
            device.Reserve(DeviceArena.BytesFor(AllocationBytes(device, planned, host)));
            foreach (var buffer in planned)
            {
                switch (buffer.Role)
                {
                    case DeviceBufferRole.OuterWeights:
                        break;   // the engine's, uploaded when it was built
                    case DeviceBufferRole.LayerWeights:
                        var weights = new LayerWeights(device, host, buffer.Index);
                        weights.Load(device, upload, host, buffer.Index);
                        resident[buffer.Index] = weights;
                        break;
                    case DeviceBufferRole.WeightSlot:
                        slots.Add(new LayerWeights(device, host, 0));
                        break;
                    default:
                        _buffers.Add((buffer.Role, buffer.Index), buffer.IsSingle ? device.AllocateSingle(buffer.Elements) : device.Allocate(buffer.Elements));
                        break;
                }
            }
            upload.Synchronize();
            ResidentWeights = resident;
            WeightSlots = slots.ToArray();

            int microBatches = shape.MicroBatchSizes.Count;
            Hidden = Enumerable.Range(0, microBatches).Select(m => Get(DeviceBufferRole.Hidden, m)).ToArray();
            Logits = Enumerable.Range(0, microBatches).Select(m => Get(DeviceBufferRole.Logits, m)).ToArray();
            TokenIds = Enumerable.Range(0, microBatches).Select(m => Get(DeviceBufferRole.TokenIds, m)).ToArray();
            bool staging = _buffers.ContainsKey((DeviceBufferRole.ActivationSlot, 0));
            KvSlots = staging
                ? Enumerable.Range(0, Slots).Select(s => Kv(DeviceBufferRole.SlotKeys, DeviceBufferRole.SlotValues, DeviceBufferRole.SlotNewActivations, s)).ToArray()
                : [];
            ActivationSlots = staging ? Enumerable.Range(0, Slots).Select(s => Get(DeviceBufferRole.ActivationSlot, s)).ToArray() : [];
            int kvResidentLayers = planned.Count(b => b.Role == DeviceBufferRole.ResidentKeys) / microBatches;
            ResidentKv = Enumerable.Range(0, kvResidentLayers)
                .Select(layer => Enumerable.Range(0, microBatches)
                    .Select(m => Kv(DeviceBufferRole.ResidentKeys, DeviceBufferRole.ResidentValues, DeviceBufferRole.ResidentNewActivations, layer * microBatches + m)).ToArray())
                .ToArray();
        }

        /// <summary>Sequences of the largest micro-batch.</summary>
        public int MaxBatch { get; }

        /// <summary>Tokens per sequence the KV and activation buffers hold.</summary>
        public int Capacity { get; }

        /// <summary>New tokens per sequence a step may append (the prompt length).</summary>
        public int MaxNewTokens { get; }

        /// <summary>Per micro-batch: residual stream [batch][new tokens][hidden], fp32 on every device.</summary>
        public IDeviceBuffer[] Hidden { get; }

        /// <summary>Per micro-batch: [batch][logit rows][vocab], fp32 on every device.</summary>
        public IDeviceBuffer[] Logits { get; }

        /// <summary>Per micro-batch: the input token ids, 4-byte elements holding int32.</summary>
        public IDeviceBuffer[] TokenIds { get; }

        public KvBuffer[] KvSlots { get; }

        /// <summary>Stored activations X of the recomputed prefix, batch × capacity × hidden per slot, chunk by chunk (<see cref="ActivationChunk"/>).</summary>
        public IDeviceBuffer[] ActivationSlots { get; }

        /// <summary>Per KV-resident layer, per micro-batch.</summary>
        public KvBuffer[][] ResidentKv { get; }

        /// <summary>Per layer, its weights when they stay on the device for the generation; null for a streamed layer.</summary>
        public LayerWeights?[] ResidentWeights { get; }

        /// <summary>The two slots streamed layers' weights cross into (none when every layer is resident).</summary>
        public LayerWeights[] WeightSlots { get; }

        /// <summary>The planned buffer of <paramref name="role"/> (scratch: index 0).</summary>
        public IDeviceBuffer Get(DeviceBufferRole role, int index = 0) => _buffers[(role, index)];

        /// <summary>The planned buffer of <paramref name="role"/>, or null where the plan has none (a gated MLP's GateUp).</summary>
        public IDeviceBuffer? Find(DeviceBufferRole role) => _buffers.TryGetValue((role, 0), out var buffer) ? buffer : null;

        /// <summary>The bytes of each device allocation below: a weight buffer is one per tensor of the backend's layout.</summary>
        private static IEnumerable<long> AllocationBytes(IDevice device, IReadOnlyList<PlannedBuffer> planned, HostWeights host)
        {
            foreach (var buffer in planned)
            {
                switch (buffer.Role)
                {
                    case DeviceBufferRole.OuterWeights:
                        break;
                    case DeviceBufferRole.LayerWeights or DeviceBufferRole.WeightSlot:
                        for (int t = 0; t < host.Layout.Tensors.Count; t++)
                            if (host.Tensor(0, t) is IHostBuffer tensor)
                                yield return checked(tensor.Length * device.ElementBytes);
                        break;
                    default:
                        yield return checked(buffer.Elements * (buffer.IsSingle ? sizeof(float) : device.ElementBytes));
                        break;
                }
            }
        }

        private KvBuffer Kv(DeviceBufferRole keys, DeviceBufferRole values, DeviceBufferRole newActivations, int index) =>
            new(Capacity, Get(keys, index), Get(values, index), Get(newActivations, index));
    }
}
