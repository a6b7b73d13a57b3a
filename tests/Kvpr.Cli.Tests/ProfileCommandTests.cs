using System.IO;

namespace Kvpr.Cli.Tests;

public class ProfileCommandTests
{
    [Fact]
    public void A_gpu_profile_needs_a_file_to_write()
    {
        var error = new StringWriter();

        int exitCode = ProfileCommand.Run(null, null, 0, new StringWriter(), error);

        exitCode.ShouldBe(1);
        error.ToString().ShouldContain("Option '--out' is required");
    }

    [Fact]
    public void Host_only_writes_no_profile_and_refuses_a_file()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = ProfileCommand.RunHostOnly(new FileInfo("host.hwprofile.json"), output, error);

        exitCode.ShouldBe(1);
        error.ToString().ShouldContain("--host-only measures the host alone and writes no profile; leave out --out.");
        output.ToString().ShouldBeEmpty();
    }
}
