using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Execution;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>
    /// An engine's device buffers (<see cref="StepBuffers"/>: the reserved block and the resident layers' weights uploaded
    /// into it), kept from one generation to the next: a generation whose planned buffer list and shape are those of the
    /// last one reuses them instead of reserving and uploading again (OPT-6.7B's 32 layers are 12.9 GB over the link, about
    /// a quarter of a second on PCIe 5). Every step overwrites what it reads but the weights, so nothing else carries over.
    /// They live in an allocation scope of their own, opened before a generation's scope and released when a generation
    /// needs other buffers, when one fails or is cancelled, and with the engine.
    /// </summary>
    internal sealed class KeptDeviceBuffers : IDisposable
    {
        private IDisposable? _scope;
        private StepBuffers? _buffers;
        private DeviceBufferShape? _shape;
        private IReadOnlyList<PlannedBuffer> _planned = [];

        /// <summary>The buffers of <paramref name="planned"/>: the kept ones where they are the same list and shape, else allocated (and the kept ones released first).</summary>
        public StepBuffers For(IDevice device, ModelSpec spec, DeviceBufferShape shape, IReadOnlyList<PlannedBuffer> planned, HostWeights host)
        {
            if (_buffers is not null && SameShape(_shape!, shape) && _planned.SequenceEqual(planned))
                return _buffers;
            Release();
            var scope = device.AllocationScope();
            try
            {
                _buffers = new StepBuffers(device, spec, shape, planned, host);
            }
            catch
            {
                scope.Dispose();
                throw;
            }
            (_scope, _shape, _planned) = (scope, shape, planned);
            return _buffers;
        }

        /// <summary>Gives the kept buffers back to the device; call only once the scope of the generation that used them is closed.</summary>
        public void Release()
        {
            var scope = _scope;
            (_scope, _buffers, _shape, _planned) = (null, null, null, []);
            scope?.Dispose();
        }

        public void Dispose() => Release();

        private static bool SameShape(DeviceBufferShape kept, DeviceBufferShape next) =>
            kept.MicroBatchSizes.SequenceEqual(next.MicroBatchSizes) && kept.Capacity == next.Capacity
            && kept.MaxNewTokens == next.MaxNewTokens && kept.LogitRows == next.LogitRows;
    }
}
