using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Generators.Diagnostics;
using Kvpr.Generators.Emitting;
using Kvpr.Generators.Model;
using Kvpr.Generators.Parsing;
using Kvpr.Generators.Profiles;
using Kvpr.Json;
using Kvpr.Kernels;
using Kvpr.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kvpr.Generators
{
    /// <summary>
    /// Compiles every [TransformerModel] class at build time: parses the attributes into an equatable model,
    /// finds the hardware profile, and in the output step (which reruns only when those change) compiles the
    /// <see cref="EngineBlueprint"/> and emits it as readable C#.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class KvprGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var models = context.SyntaxProvider.ForAttributeWithMetadataName(
                    ModelParser.TransformerModelAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (syntax, cancellation) => ModelParser.Parse(syntax, cancellation))
                .WithTrackingName(TrackingNames.Models);

            var requestedProfile = context.AnalyzerConfigOptionsProvider.Select(static (options, _) => ProfileLocator.RequestedProfile(options.GlobalOptions));
            var profileFiles = context.AdditionalTextsProvider.Combine(context.AnalyzerConfigOptionsProvider)
                .Where(static pair => ProfileLocator.IsProfileFile(pair.Right.GetOptions(pair.Left)))
                .Select(static (pair, cancellation) => (pair.Left.Path, pair.Left.GetText(cancellation)?.ToString()))
                .Collect();
            var profile = requestedProfile.Combine(profileFiles)
                .Select(static (pair, _) => ProfileLocator.Locate(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Profile);

            // CreateEngine is emitted only where the runtime is referenced; a project may use the compiler alone.
            var hasRuntime = context.CompilationProvider
                .Select(static (compilation, _) => compilation.GetTypeByMetadataName(ModelEmitter.EngineTypeName) is not null)
                .WithTrackingName(TrackingNames.Runtime);

            var languageVersion = context.ParseOptionsProvider
                .Select(static (options, _) => ((CSharpParseOptions)options).LanguageVersion)
                .WithTrackingName(TrackingNames.LanguageVersion);

            context.RegisterSourceOutput(models.Combine(profile).Combine(hasRuntime).Combine(languageVersion),
                static (output, input) => Emit(output, input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right));
        }

        /// <summary>The generated code uses raw string literals (C# 11) and collection expressions (C# 12).</summary>
        private const LanguageVersion RequiredLanguageVersion = LanguageVersion.CSharp12;

        private static void Emit(SourceProductionContext output, ParseResult parsed, ProfileSource profileSource, bool hasRuntime, LanguageVersion languageVersion)
        {
            foreach (var diagnostic in parsed.Diagnostics)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (parsed.Model is not { } model)
                return;

            var at = model.Location?.ToLocation() ?? Location.None;
            string name = model.Type.Name;
            if (languageVersion < RequiredLanguageVersion)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LanguageVersionTooOld, at, name,
                    RequiredLanguageVersion.ToDisplayString(), languageVersion.ToDisplayString()));
                return;
            }
            try
            {
                if (profileSource.IsMissing)
                {
                    output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingProfile, at, name, profileSource.Requested,
                        string.Join(", ", HardwareProfiles.StoredNames)));
                    return;
                }
                var profile = HardwareProfileFormat.Parse(profileSource.Text!, profileSource.Origin);
                var blueprint = EngineBlueprint.Compile(model.Spec, profile, model.Workload, PlannerOptions.Default with { CpuAttention = model.CpuAttention });
                // All or nothing: a failure half-way must not leave some files of the model behind.
                foreach (var file in ModelEmitter.Emit(model, blueprint, profileSource, hasRuntime).ToArray())
                    output.AddSource(file.HintName, file.Text);
            }
            catch (JsonFormatException e)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidProfile, at, name, e.Message));
            }
            catch (SpecException e)
            {
                ReportAtFields(output, model, e.Errors);
            }
            catch (KernelEmitException e)
            {
                ReportAtFields(output, model, e.Errors);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The generator must never crash the compiler (AD0001/CS8785); a bug in Kvpr becomes one diagnostic.
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, at, name, $"{e.GetType().Name}: {e.Message}"));
            }
        }

        /// <summary>Problems found while compiling, each at the attribute argument that set its field.</summary>
        private static void ReportAtFields(SourceProductionContext output, ModelDeclaration model, IEnumerable<SpecError> errors)
        {
            foreach (var error in errors)
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.For(error),
                    model.LocationOf(error.Field)?.ToLocation() ?? Location.None, error.Message));
        }
    }
}
