package com.hostkey.invapi.client;

import java.util.Objects;

/**
 * How the client launches a Jenkins (Ansible) task on a server: {@code <module>.php action=<action>}
 * with the server id in {@code serverField} and the task id in {@code taskField}, answered with a
 * callback key (or OK, done at once). Hostkey documents {@code jenkins.php action=get_tasks} but not
 * the launch call, so every part of it is a setting; {@link #ASSUMED} is the project's guess, which the
 * simulator speaks by default ({@code --jenkins-run-action}, {@code --jenkins-server-field},
 * {@code --jenkins-task-field}).
 */
public record JenkinsLaunch(String module, String action, String serverField, String taskField) {

    /** {@code jenkins.php action=run_task id=<server> task_id=<task>}: assumed, see docs/invapi-wire.md. */
    public static final JenkinsLaunch ASSUMED = new JenkinsLaunch("jenkins", "run_task", "id", "task_id");

    public JenkinsLaunch {
        module = name(module, "module");
        action = name(action, "action");
        serverField = name(serverField, "serverField");
        taskField = name(taskField, "taskField");
        if (serverField.equals(taskField)) {
            throw new IllegalArgumentException("the Jenkins launch's server and task fields are both '" + serverField + "'");
        }
        if (module.contains("/") || module.contains(".")) {
            throw new IllegalArgumentException("the Jenkins launch's module is a name such as jenkins, not a path: " + module);
        }
    }

    /**
     * This launch with the module and action of {@code moduleAndAction}: an action name
     * ({@code run_task}, the module unchanged) or {@code module/action} ({@code eq/run_jenkins}).
     */
    public JenkinsLaunch withAction(String moduleAndAction) {
        String text = name(moduleAndAction, "action").strip();
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new JenkinsLaunch(module, text, serverField, taskField);
        }
        return new JenkinsLaunch(text.substring(0, slash).strip(), text.substring(slash + 1).strip(), serverField, taskField);
    }

    public JenkinsLaunch withServerField(String field) {
        return new JenkinsLaunch(module, action, field, taskField);
    }

    public JenkinsLaunch withTaskField(String field) {
        return new JenkinsLaunch(module, action, serverField, field);
    }

    /** {@code module/action}, e.g. {@code jenkins/run_task}. */
    public String call() {
        return module + "/" + action;
    }

    private static String name(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException("the Jenkins launch's " + what + " is blank");
        }
        return value.strip();
    }
}
