package com.hostkey.invapi.client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * invapi played back from bodies in the shapes docs/hostkey-invapi.md records (the constants
 * below, one per documented shape), served by mockwebserver3. It keeps only the little state
 * needed to pick the next body: which tokens are live, which callback keys are done or already
 * answered OK, and the stage each master key has reached. What Hostkey would do is not modelled
 * here (that is the simulator's job); each answer is a recorded body with its values filled in.
 */
final class RecordedInvapi implements AutoCloseable {

    // auth.php: "Authentication (known)"
    static final String LOGIN_NESTED = """
            {"result":{"token":"%s","token_expire":%d,"servers":[1001,1099],"invapi":"invapi.hostkey.com"}}""";
    static final String LOGIN_FLAT = """
            {"token":"%s","token_expire":%d,"servers":[1001,1099],"invapi":"invapi.hostkey.com"}""";
    static final String LOGIN_REFUSED = """
            {"result":-1,"error":"No appropriate servers found","code":"NO_APPROPRIATE_SERVERS"}""";
    static final String INVALID_HASH = """
            {"code":-1,"message":"Invalid hash"}""";
    static final String LOGOUT_OK = """
            {"result":"OK","action":"logout"}""";
    // Business errors: "Transport (known)"; the wrong-PIN text is assumed.
    static final String ERROR = """
            {"code":-1,"message":"%s/%s: %s"}""";
    // Asynchronous actions (known)
    static final String ASYNC_ACCEPTED = """
            {"result":"OK","action":"%s","callback":"%s"}""";
    static final String NOT_READY = """
            {"result":"Not ready","key":"%s"}""";
    static final String DONE = """
            {"result":"OK","scope":"%s","context":{"action":"%s","id":"%d","location":"NL"},"debug":null,"key":"%s"}""";
    static final String DONE_OBJECT_SCOPE = """
            {"result":"OK","scope":{"message":"%s","id":%d},"context":{"action":"%s","id":%d,"location":"NL"},"debug":null,"key":"%s"}""";
    static final String KEY_NOT_FOUND = """
            {"code":-1,"message":"AsyncKey not found","key":"%s"}""";
    static final String KEY_NOT_FOUND_IN_MESSAGE = """
            {"code":-1,"message":"AsyncKey not found: %s","key":"%s"}""";
    // The reinstall procedure (known order); the stage number travels in the scope text here.
    static final String REINSTALL_KEY = """
            {"result":"OK","action":"reinstall","reinstall_key":"%s"}""";
    static final String STAGE = """
            {"result":"Stage","scope":"Stage %d: %s","context":{"action":"reinstall","id":"%d","location":"NL"},"key":"%s"}""";
    static final String ONLINE = """
            {"result":"OK","scope":"Stage 5: The server is online","context":{"action":"reinstall","id":"%d","location":"NL"},"debug":null,"key":"%s"}""";
    static final String OS_LIST = """
            {"result":"OK","action":"list","os_list":[
              {"id":101,"name":"Ubuntu 22.04","active":1,"tags":[{"tag":"bm","value":"1"},{"tag":"vm","value":"1"},
                {"tag":"min_ram","value":"2"},{"tag":"min_hdd","value":"20"}]},
              {"id":201,"name":"Windows Server 2022","active":1,"tags":[{"tag":"bm","value":"1"},{"tag":"vm","value":"1"},
                {"tag":"min_ram","value":"4"},{"tag":"min_hdd","value":"60"},{"tag":"price_per_core_EUR","value":"1.5"}]}]}""";
    static final String SHOW = """
            {"result":"OK","server_data":{"id":"1001","status":"rent","power":"on","hostname":"srv1001.example.net",
              "location":"NL","type":"bm","ram_gb":64,"disks":[{"size_gb":480},{"size_gb":480}],"cpu_cores":12},"tags":[%s]}""";
    // jenkins.php: shape assumed.
    static final String JENKINS_TASKS = """
            {"result":"OK","tasks":[{"id":"gpu-drivers","name":"Install NVIDIA GPU drivers","tags":["gpu","vgpu"]},
              {"id":"monitoring-agent","name":"Install monitoring agent","tags":["bm","vm","gpu","vgpu","default"]}]}""";

    private static final String[] STAGE_TEXT = {"", "OS installation was started",
        "base OS was installed, proceed with post-install tasks", "Post-install tasks are completed, running final tasks",
        "Install is completed, restarting the server"};
    /** "Passwords (known)": 8-30 of [A-Za-z0-9%-_+], upper, lower, digit and special, no special first. */
    private static final Pattern PASSWORD_POLICY = Pattern.compile(
            "(?=.*[A-Z])(?=.*[a-z])(?=.*\\d)(?=.*[%_+-])[A-Za-z0-9][A-Za-z0-9%_+-]{7,29}");
    private static final Set<String> CRUCIAL = Set.of("eq/create_pxe", "eq/boot_dev", "eq/reboot", "jenkins/run_task");
    private static final Set<Long> SERVERS = Set.of(InvapiContract.SERVER, InvapiContract.SERVER_WITHOUT_OS);

    private record Async(String action, long serverId, String scope) {}

    private final MockWebServer server = new MockWebServer();
    private final Clock clock;
    private final List<Map.Entry<String, Map<String, String>>> received = new ArrayList<>();
    private final Set<String> liveTokens = new HashSet<>();
    private final Set<String> refusedApiKeys = new HashSet<>();
    private final Map<String, Async> pending = new LinkedHashMap<>();
    private final Map<String, Async> done = new HashMap<>();
    private final Map<String, Integer> masterStages = new HashMap<>();
    private boolean flatLogin;
    private boolean keyInMessage;
    private boolean objectScope;
    private int showRefusals;

    RecordedInvapi(Clock clock) throws Exception {
        this.clock = clock;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                synchronized (RecordedInvapi.this) {
                    return answer(request);
                }
            }
        });
        server.start();
    }

    String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    synchronized void flatLogin() {
        flatLogin = true;
    }

    synchronized void keyInNotFoundMessage() {
        keyInMessage = true;
    }

    synchronized void objectScope() {
        objectScope = true;
    }

    synchronized void refuse(String apiKey) {
        refusedApiKeys.add(apiKey);
    }

    synchronized void refuseShowTokens(int times) {
        showRefusals = times;
    }

    synchronized void expireSessions() {
        liveTokens.clear();
    }

    synchronized void completeActions() {
        done.putAll(pending);
        pending.clear();
    }

    synchronized void reachStage(int stage) {
        masterStages.replaceAll((key, reached) -> reached < 0 ? reached : stage);
    }

    synchronized List<Map<String, String>> forms(String call) {
        return received.stream().filter(e -> e.getKey().equals(call)).map(Map.Entry::getValue).toList();
    }

    private MockResponse answer(RecordedRequest request) {
        Map<String, String> form = FakeInvapi.parseForm(request.getBody() == null ? "" : request.getBody().utf8());
        String path = request.getUrl().encodedPath();
        String module = path.substring(path.lastIndexOf('/') + 1).replace(".php", "");
        String action = form.getOrDefault("action", "");
        String call = module + "/" + action;
        received.add(Map.entry(call, form));
        switch (call) {
            case "auth/login" -> {
                String apiKey = form.get("key");
                if (!InvapiContract.API_KEY.equals(apiKey) || refusedApiKeys.contains(apiKey)) {
                    return json(LOGIN_REFUSED);
                }
                String token = random("0123456789abcdef");
                liveTokens.add(token);
                long expire = clock.instant().getEpochSecond() + Long.parseLong(form.getOrDefault("ttl", "10800"));
                return json((flatLogin ? LOGIN_FLAT : LOGIN_NESTED).formatted(token, expire));
            }
            case "eq_callback/check" -> {
                return check(form.get("key"));
            }
            case "jenkins/get_tasks" -> {
                return json(JENKINS_TASKS);
            }
            default -> {
                // every other call below needs a session
            }
        }
        String token = form.get("token");
        if (token == null || !liveTokens.contains(token)) {
            return json(INVALID_HASH);
        }
        if (call.equals("auth/logout")) {
            liveTokens.remove(token);
            return json(LOGOUT_OK);
        }
        if (call.equals("eq/show") && showRefusals > 0) {
            showRefusals--;
            return json(INVALID_HASH);
        }
        long id = Long.parseLong(form.getOrDefault("id", "0"));
        if (!SERVERS.contains(id)) {
            return json(ERROR.formatted(module, action, "server not found"));
        }
        if (CRUCIAL.contains(call) && !InvapiContract.PIN.equals(form.get("pin"))) {
            return json(ERROR.formatted(module, action, "wrong PIN code"));
        }
        return switch (call) {
            case "os/list" -> id == InvapiContract.SERVER_WITHOUT_OS
                    ? json(ERROR.formatted(module, action, "no OS found"))
                    : json(OS_LIST);
            case "eq/show" -> json(SHOW.formatted(installing() ? "\"bm\",\"reinstall_start\"" : "\"bm\""));
            case "eq/reinstall" -> {
                String key = random("abcdefghijklmnopqrstuvwxyz0123456789");
                masterStages.put(key, 0);
                yield json(REINSTALL_KEY.formatted(key));
            }
            case "eq/create_pxe" -> PASSWORD_POLICY.matcher(form.getOrDefault("root_pass", "")).matches()
                    ? async(action, id, "PXE config created")
                    : json(ERROR.formatted(module, action, "root_pass does not meet the password policy"));
            case "eq/boot_dev" -> async(action, id, "Boot device set to " + form.get("media"));
            case "eq/reboot" -> async(action, id, "Server rebooted");
            case "eq/status" -> async(action, id, "on");
            case "eq/clear_pxe" -> async(action, id, "PXE config removed");
            case "jenkins/run_task" -> async(action, id, "Task " + form.get("task_id") + " completed");
            default -> json(ERROR.formatted(module, action, "unknown action"));
        };
    }

    private MockResponse async(String action, long serverId, String scope) {
        String key = random("abcdefghijklmnopqrstuvwxyz0123456789");
        pending.put(key, new Async(action, serverId, scope));
        return json(ASYNC_ACCEPTED.formatted(action, key));
    }

    private MockResponse check(String key) {
        if (pending.containsKey(key)) {
            return json(NOT_READY.formatted(key));
        }
        Async finished = done.remove(key);
        if (finished != null) {
            return json(objectScope
                    ? DONE_OBJECT_SCOPE.formatted(finished.scope(), finished.serverId(), finished.action(),
                            finished.serverId(), key)
                    : DONE.formatted(finished.scope(), finished.action(), finished.serverId(), key));
        }
        Integer stage = masterStages.get(key);
        if (stage != null && stage >= 0) {
            if (stage == 0) {
                return json(NOT_READY.formatted(key));
            }
            if (stage < 5) {
                return json(STAGE.formatted(stage, STAGE_TEXT[stage], InvapiContract.SERVER, key));
            }
            masterStages.put(key, -1);
            return json(ONLINE.formatted(InvapiContract.SERVER, key));
        }
        return json(keyInMessage ? KEY_NOT_FOUND_IN_MESSAGE.formatted(key, key) : KEY_NOT_FOUND.formatted(key));
    }

    private boolean installing() {
        return masterStages.values().stream().anyMatch(stage -> stage >= 1 && stage < 5);
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static String random(String alphabet) {
        StringBuilder out = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            out.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return out.toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
