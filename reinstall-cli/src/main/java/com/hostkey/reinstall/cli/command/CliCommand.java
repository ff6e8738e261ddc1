package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.CliContext;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ReinstallCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root's global options and context, and where to write. */
abstract class CliCommand implements Callable<Integer> {

    @ParentCommand
    ReinstallCli root;

    @Spec
    CommandSpec spec;

    Output output() {
        return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), root.json());
    }

    CliContext context() {
        return root.context();
    }
}
