namespace Kvpr.Execution
{
    /// <summary>
    /// A model's weights on a device in the layout its backend computes with, uploaded once per engine; its
    /// memory belongs to the device and is freed with it.
    /// </summary>
    internal interface IDeviceModel
    {
        /// <summary>The compute of one generation's steps over its buffers (scratch it needs is allocated here, once).</summary>
        ILayerCompute CreateCompute(StepBuffers buffers);
    }
}
