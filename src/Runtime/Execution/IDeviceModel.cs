namespace Kvpr.Execution
{
    /// <summary>
    /// A model on a device: its outer weights (embeddings, final norm, head) uploaded once per engine, and the
    /// layout its backend keeps each layer's weights in (<see cref="HostWeights"/> holds them, generations upload or
    /// stream them). Its memory belongs to the device and is freed with it.
    /// </summary>
    internal interface IDeviceModel
    {
        LayerLayout Layout { get; }


        /// <summary>The compute of one generation's steps over its buffers (scratch it needs is allocated here, once).</summary>
        ILayerCompute CreateCompute(StepBuffers buffers);
    }
}
