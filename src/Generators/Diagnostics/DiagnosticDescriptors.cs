using Microsoft.CodeAnalysis;

namespace Kvpr.Generators.Diagnostics
{
    /// <summary>The generator's diagnostics, one per stable code in <see cref="ErrorCodes"/>; messages say what to change.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Kvpr";

        public static DiagnosticDescriptor ClassNotPartial { get; } = Error(ErrorCodes.ClassNotPartial, "Model class must be partial",
            "'{0}' must be declared partial so that Kvpr can add its engine, plan and kernels: write 'partial {1} {0}'");

        public static DiagnosticDescriptor UnknownArchitecture { get; } = Error(ErrorCodes.UnknownArchitecture, "Unknown architecture",
            "{0} is not an architecture Kvpr compiles: use Architecture.Opt, Architecture.Llama, Architecture.Mistral or Architecture.Qwen2");

        public static DiagnosticDescriptor HeadsDoNotDivideHidden { get; } = Error(ErrorCodes.HeadsDoNotDivideHidden, "Heads must divide Hidden", "{0}");

        public static DiagnosticDescriptor KvHeadsDoNotDivideHeads { get; } = Error(ErrorCodes.KvHeadsDoNotDivideHeads, "KvHeads must divide Heads", "{0}");

        public static DiagnosticDescriptor UnsupportedHeadDim { get; } = Error(ErrorCodes.UnsupportedHeadDim, "Head dimension not supported by the kernels", "{0}");

        public static DiagnosticDescriptor InvalidDimension { get; } = Error(ErrorCodes.InvalidDimension, "Invalid model dimension", "{0}");

        public static DiagnosticDescriptor InvalidProfile { get; } = Error(ErrorCodes.InvalidProfile, "Invalid hardware profile",
            "Cannot plan '{0}': {1}");

        public static DiagnosticDescriptor WorkloadDoesNotFit { get; } = Error(ErrorCodes.WorkloadDoesNotFit, "Workload does not fit in GPU memory", "{0}");

        public static DiagnosticDescriptor InvalidWorkload { get; } = Error(ErrorCodes.InvalidWorkload, "Invalid decode workload", "{0}");

        public static DiagnosticDescriptor InvalidValue { get; } = Error(ErrorCodes.InvalidValue, "Invalid model value", "{0}");

        public static DiagnosticDescriptor MissingProfile { get; } = Error(ErrorCodes.MissingProfile, "Hardware profile not found",
            "Cannot plan '{0}': hardware profile '{1}' (property KvprHardwareProfile) is neither a stored profile ({2}) nor a file given to the compiler; " +
            "import Kvpr.targets, which passes it as an AdditionalFiles item with KvprHardwareProfile=\"true\"");

        public static DiagnosticDescriptor LanguageVersionTooOld { get; } = Error(ErrorCodes.LanguageVersionTooOld, "C# version too old for Kvpr",
            "Kvpr's generated code for '{0}' needs C# {1} or later, but the project uses C# {2}: set <LangVersion>latest</LangVersion>");

        public static DiagnosticDescriptor InternalError { get; } = Error(ErrorCodes.InternalError, "Kvpr failed to compile the model",
            "Kvpr failed to compile '{0}' ({1}); this is a bug in Kvpr, please report it with the model declaration");

        /// <summary>The descriptor for a <see cref="SpecError"/> found while validating a model or workload.</summary>
        public static DiagnosticDescriptor For(SpecError error) => error.Code switch
        {
            ErrorCodes.HeadsDoNotDivideHidden => HeadsDoNotDivideHidden,
            ErrorCodes.KvHeadsDoNotDivideHeads => KvHeadsDoNotDivideHeads,
            ErrorCodes.UnsupportedHeadDim => UnsupportedHeadDim,
            ErrorCodes.InvalidDimension => InvalidDimension,
            ErrorCodes.InvalidWorkload => InvalidWorkload,
            ErrorCodes.WorkloadDoesNotFit => WorkloadDoesNotFit,
            _ => InvalidValue,
        };

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    }
}
