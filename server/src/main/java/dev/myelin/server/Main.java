package dev.myelin.server;

import dev.myelin.server.cli.AotTrainingCommand;
import dev.myelin.server.cli.InstanceOptions;
import dev.myelin.server.cli.ServeCommand;
import dev.myelin.server.cli.RegisterUserCommand;
import picocli.CommandLine;

/** The `myelin` command: serves by default; subcommands for operator tasks. */
@CommandLine.Command(name = "myelin", mixinStandardHelpOptions = true,
        description = "Myelin, a Matrix homeserver.",
        versionProvider = Main.Version.class,
        subcommands = {ServeCommand.class, RegisterUserCommand.class, AotTrainingCommand.class})
public final class Main implements Runnable {
    @CommandLine.Mixin
    InstanceOptions instance = new InstanceOptions();

    @Override
    public void run() {
        ServeCommand.serve(instance);
    }

    /** The command line, with failures reported as one line naming the problem (exit code 1). */
    public static CommandLine commandLine() {
        var commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("myelin: " + e.getMessage());
            return 1;
        });
        return commandLine;
    }

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"Myelin " + (version == null ? "development build" : version)};
        }
    }
}
