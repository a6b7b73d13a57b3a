namespace Kvpr
{
    /// <summary>
    /// Stable codes shared by the generator's diagnostics, the CLI and the runtime's exceptions,
    /// so that one problem has one name wherever it is reported.
    /// </summary>
    public static class ErrorCodes
    {
        public const string ClassNotPartial = "KVPR001";
        public const string UnknownArchitecture = "KVPR002";
        public const string HeadsDoNotDivideHidden = "KVPR003";
        public const string KvHeadsDoNotDivideHeads = "KVPR004";
        public const string UnsupportedHeadDim = "KVPR005";
        public const string InvalidDimension = "KVPR006";
        public const string InvalidProfile = "KVPR007";
        public const string WorkloadDoesNotFit = "KVPR008";
        public const string InvalidWorkload = "KVPR009";
        public const string InvalidValue = "KVPR010";
        public const string MissingProfile = "KVPR011";
        public const string InvalidGraph = "KVPR012";
        public const string CheckpointMismatch = "KVPR013";
        public const string UnsupportedModelConfig = "KVPR014";
        public const string InvalidWeights = "KVPR015";
        public const string InvalidPrompt = "KVPR016";
        public const string InvalidCheckpoint = "KVPR017";
        public const string InvalidTokenizer = "KVPR018";
        /// <summary>The consuming project's C# version is older than the generated code needs; numbered apart from the model errors.</summary>
        public const string LanguageVersionTooOld = "KVPR098";
        /// <summary>A failure inside Kvpr itself (a bug), reported instead of crashing the compiler; numbered apart from the input errors.</summary>
        public const string InternalError = "KVPR099";
    }
}
