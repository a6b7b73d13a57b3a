using System.CommandLine;

namespace Kvpr.Cli
{
    /// <summary>The <c>kvpr</c> command-line tool: one file per subcommand, registered here.</summary>
    public static class Program
    {
        public static int Main(string[] args) => CreateRootCommand().Parse(args).Invoke();

        public static RootCommand CreateRootCommand()
        {
            var root = new RootCommand("Kvpr: LLM decoding with the KV cache offloaded to host memory and partly recomputed on the GPU.");
            root.Subcommands.Add(PlanCommand.Create());
            root.Subcommands.Add(RunCommand.Create());
            root.Subcommands.Add(GenerateCommand.Create());
            root.Subcommands.Add(TokenizeCommand.Create());
            root.Subcommands.Add(ProfileCommand.Create());
            root.Subcommands.Add(SelftestCommand.Create());
            root.Subcommands.Add(BenchCommand.Create());
            return root;
        }
    }
}
