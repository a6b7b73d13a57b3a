using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kvpr.Generators.Diagnostics;
using Kvpr.Generators.Model;
using Kvpr.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kvpr.Generators.Parsing
{
    /// <summary>
    /// Turns a class's [TransformerModel] and [DecodeWorkload] attributes into a <see cref="ModelDeclaration"/>,
    /// applying the family defaults and reporting each problem at the attribute argument that causes it.
    /// </summary>
    internal sealed class ModelParser
    {
        public const string TransformerModelAttributeName = "Kvpr.TransformerModelAttribute";
        public const string DecodeWorkloadAttributeName = "Kvpr.DecodeWorkloadAttribute";

        private readonly List<DiagnosticInfo> _diagnostics = new();
        private readonly CancellationToken _cancellation;

        private ModelParser(CancellationToken cancellation) => _cancellation = cancellation;

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var attribute = context.Attributes[0];
            try
            {
                // A class whose partial parts repeat the attribute is the compiler's error (CS0579); compile it once, at the first.
                var first = type.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == TransformerModelAttributeName).ApplicationSyntaxReference;
                if (first is null || first.SyntaxTree != context.TargetNode.SyntaxTree || !context.TargetNode.Span.Contains(first.Span))
                    return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
                var parser = new ModelParser(cancellation);
                var model = parser.Parse(type, attribute);
                return new ParseResult(model, new EquatableArray<DiagnosticInfo>(parser._diagnostics));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never crash the compiler: a bug in Kvpr becomes one diagnostic on the attribute.
                var at = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellation));
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[]
                {
                    DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, at, type.Name, $"{e.GetType().Name}: {e.Message}"),
                }));
            }
        }

        private ModelDeclaration? Parse(INamedTypeSymbol type, AttributeData modelAttribute)
        {
            var modelArguments = AttributeArguments.Read(modelAttribute, _cancellation);
            var workloadAttribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DecodeWorkloadAttributeName);
            var workloadArguments = workloadAttribute is null ? null : AttributeArguments.Read(workloadAttribute, _cancellation);
            // Arguments the compiler could not bind are its own errors to report.
            if (modelArguments is null || (workloadAttribute is not null && workloadArguments is null))
                return null;

            bool partial = CheckPartial(type);
            var spec = ReadSpec(type, modelArguments);
            var workload = spec is null ? null : ReadWorkload(spec, workloadArguments);
            var cpuAttention = ReadCpuAttention(workloadArguments);
            if (!partial || spec is null || workload is null || cpuAttention is null)
                return null;

            var containing = new List<TypeHeader>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                containing.Insert(0, Header(outer));
            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            var arguments = modelArguments.NamedLocations().Concat(workloadArguments?.NamedLocations() ?? Enumerable.Empty<ArgumentLocation>());
            return new ModelDeclaration(ns, new EquatableArray<TypeHeader>(containing), Header(type), spec, workload, workloadArguments is not null, cpuAttention,
                modelArguments.AttributeLocation, new EquatableArray<ArgumentLocation>(arguments));
        }

        private bool CheckPartial(INamedTypeSymbol type)
        {
            bool partial = true;
            for (var current = type; current is not null; current = current.ContainingType)
            {
                var declarations = current.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellation)).OfType<TypeDeclarationSyntax>().ToArray();
                if (declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                    continue;
                partial = false;
                var declaration = declarations.FirstOrDefault();
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial,
                    declaration is null ? null : LocationInfo.From(declaration.Identifier.GetLocation()), current.Name, Keyword(current)));
            }
            return partial;
        }

        private ModelSpec? ReadSpec(INamedTypeSymbol type, AttributeArguments arguments)
        {
            int architectureValue = arguments.Constructor<int>(0);
            if (!Enum.IsDefined(typeof(Architecture), architectureValue))
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownArchitecture, arguments.ConstructorLocation(0),
                    $"Architecture value {architectureValue}"));
                return null;
            }
            var architecture = (Architecture)architectureValue;

            var required = new[]
            {
                nameof(ModelSpec.Layers), nameof(ModelSpec.Hidden), nameof(ModelSpec.Heads), nameof(ModelSpec.FfnHidden),
            };
            var missing = required.Where(field => !arguments.Has(field)).ToArray();
            foreach (var field in missing)
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDimension, arguments.AttributeLocation,
                    $"[TransformerModel] on '{type.Name}' must set {field}, e.g. {field} = {RequiredExample(field)}"));
            if (missing.Length > 0)
                return null;

            string name = arguments.Named(nameof(ModelSpec.Name), type.Name);
            int hidden = arguments.Named<int>(nameof(ModelSpec.Hidden)), layers = arguments.Named<int>(nameof(ModelSpec.Layers));
            int heads = arguments.Named<int>(nameof(ModelSpec.Heads)), ffnHidden = arguments.Named<int>(nameof(ModelSpec.FfnHidden));
            var family = architecture switch
            {
                Architecture.Opt => ModelSpec.Opt(name, hidden, layers, heads, ffnHidden),
                Architecture.Mistral => ModelSpec.Mistral(name, hidden, layers, heads, heads, ffnHidden),
                Architecture.Qwen2 => ModelSpec.Qwen2(name, hidden, layers, heads, heads, ffnHidden),
                _ => ModelSpec.Llama(name, hidden, layers, heads, heads, ffnHidden),
            };
            var spec = family with
            {
                KvHeads = arguments.Named(nameof(ModelSpec.KvHeads), heads),
                Vocab = arguments.Named(nameof(ModelSpec.Vocab), family.Vocab),
                MaxPositions = arguments.Named(nameof(ModelSpec.MaxPositions), family.MaxPositions),
                NormEps = arguments.Named(nameof(ModelSpec.NormEps), family.NormEps),
                RopeTheta = arguments.Named(nameof(ModelSpec.RopeTheta), family.RopeTheta),
                RopeScaling = (RopeScaling)arguments.Named(nameof(ModelSpec.RopeScaling), (int)family.RopeScaling),
                RopeScalingFactor = arguments.Named(nameof(ModelSpec.RopeScalingFactor), family.RopeScalingFactor),
                RopeLowFrequencyFactor = arguments.Named(nameof(ModelSpec.RopeLowFrequencyFactor), family.RopeLowFrequencyFactor),
                RopeHighFrequencyFactor = arguments.Named(nameof(ModelSpec.RopeHighFrequencyFactor), family.RopeHighFrequencyFactor),
                RopeOriginalMaxPositions = arguments.Named(nameof(ModelSpec.RopeOriginalMaxPositions), family.RopeOriginalMaxPositions),
                SlidingWindow = arguments.Named(nameof(ModelSpec.SlidingWindow), family.SlidingWindow),
                AttentionBias = arguments.Named(nameof(ModelSpec.AttentionBias), family.AttentionBias),
                AttentionOutputBias = arguments.Named(nameof(ModelSpec.AttentionOutputBias), family.AttentionOutputBias),
                MlpBias = arguments.Named(nameof(ModelSpec.MlpBias), family.MlpBias),
                TiedEmbeddings = arguments.Named(nameof(ModelSpec.TiedEmbeddings), family.TiedEmbeddings),
                WeightType = (WeightType)arguments.Named(nameof(ModelSpec.WeightType), (int)family.WeightType),
            };

            var errors = spec.Validate().ToList();
            if (name.Trim().Length == 0 || name.Any(char.IsControl))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(ModelSpec.Name),
                    "Name must be a non-empty single line of text (it names the plan and the CUDA program); leave it out to use the class name."));
            if (architecture == Architecture.Opt && arguments.Has(nameof(ModelSpec.RopeTheta)))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(ModelSpec.RopeTheta),
                    "RopeTheta applies to rotary (Llama) models; OPT uses learned positions: remove RopeTheta."));
            if (!Enum.IsDefined(typeof(RopeScaling), spec.RopeScaling))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(ModelSpec.RopeScaling),
                    $"RopeScaling value {(int)spec.RopeScaling} is not a scaling: use RopeScaling.None, RopeScaling.Linear or RopeScaling.Llama3."));
            if (!Enum.IsDefined(typeof(WeightType), spec.WeightType))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(ModelSpec.WeightType),
                    $"WeightType value {(int)spec.WeightType} is not a weight type: use WeightType.Float16 or WeightType.BFloat16."));
            Report(errors, arguments);
            return errors.Count == 0 ? spec : null;
        }

        private DecodeWorkload? ReadWorkload(ModelSpec spec, AttributeArguments? arguments)
        {
            var defaults = DecodeWorkload.DefaultFor(spec);
            if (arguments is null)
                return defaults;

            int objective = arguments.Constructor<int>(0);
            if (!Enum.IsDefined(typeof(Objective), objective))
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWorkload, arguments.ConstructorLocation(0),
                    $"Objective value {objective} is not an objective: use Objective.Latency or Objective.Throughput"));
                return null;
            }
            var workload = defaults with
            {
                Objective = (Objective)objective,
                Batch = arguments.Named(nameof(DecodeWorkload.Batch), defaults.Batch),
                PromptLength = arguments.Named(nameof(DecodeWorkload.PromptLength), defaults.PromptLength),
                MaxNewTokens = arguments.Named(nameof(DecodeWorkload.MaxNewTokens), defaults.MaxNewTokens),
                MicroBatches = arguments.Named(nameof(DecodeWorkload.MicroBatches), defaults.MicroBatches),
                GpuMemoryBytes = arguments.Has(nameof(DecodeWorkload.GpuMemoryBytes))
                    ? arguments.Named<long>(nameof(DecodeWorkload.GpuMemoryBytes))
                    : defaults.GpuMemoryBytes,
            };
            var errors = workload.Validate(spec);
            Report(errors, arguments);
            return errors.Count == 0 ? workload : null;
        }

        /// <summary>DecodeWorkload's CpuAttention ("off", "auto" or a fraction); off when unset, null (reported) when unreadable.</summary>
        private CpuAttentionMode? ReadCpuAttention(AttributeArguments? arguments)
        {
            const string field = nameof(DecodeWorkloadAttribute.CpuAttention);
            if (arguments is null || !arguments.Has(field))
                return CpuAttentionMode.Off;
            string? text = arguments.Named<string?>(field);
            if (CpuAttentionMode.TryParse(text, out var mode))
                return mode;
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWorkload, arguments.NamedLocation(field),
                $"CpuAttention must be \"off\", \"auto\" or a fraction in [0, 1] such as \"0.25\", but is \"{text}\""));
            return null;
        }

        private void Report(IEnumerable<SpecError> errors, AttributeArguments arguments)
        {
            foreach (var error in errors)
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.For(error), arguments.NamedLocation(error.Field), error.Message));
        }

        private static string RequiredExample(string name) => name switch
        {
            nameof(ModelSpec.Layers) => "32",
            nameof(ModelSpec.Hidden) => "4096",
            nameof(ModelSpec.Heads) => "32",
            _ => "16384",
        };

        private static TypeHeader Header(INamedTypeSymbol type) =>
            new(Keyword(type), type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };
    }
}
