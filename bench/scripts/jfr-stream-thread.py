import json, sys, collections
path = sys.argv[1]
d = json.load(open(path))
ev = d['recording']['events']
cats = [
 ("saga processor (ReinstallSagaProcessor.process)", lambda f: 'ReinstallSagaProcessor.process' in f),
 ("  state machine decisions (ReinstallStateMachine)", lambda f: any(x.startswith('com.hostkey.reinstall.projector.saga.ReinstallStateMachine.') for x in f)),
 ("  state copies (StateCopies)", lambda f: any('StateCopies.' in x for x in f)),
 ("  ReinstallState.newBuilder(state) deep copies", lambda f: any('ReinstallState$Builder.<init>' in x for x in f)),
 ("  wake-up index (WakeUps)", lambda f: any('WakeUps.' in x for x in f)),
 ("history processor (HistoryProcessor.process)", lambda f: 'HistoryProcessor.process' in f),
 ("admission processor (AdmissionProcessor.process)", lambda f: 'AdmissionProcessor.process' in f),
 ("request routing (RequestRouter.process)", lambda f: 'RequestRouter.process' in f),
 ("store puts (MeteredKeyValueStore.put)", lambda f: any(x.endswith('MeteredKeyValueStore.put') for x in f)),
 ("store gets (MeteredKeyValueStore.get)", lambda f: any(x.endswith('MeteredKeyValueStore.get') for x in f)),
 ("Avro writes (GenericDatumWriter.write)", lambda f: any(x.endswith('GenericDatumWriter.write') for x in f)),
 ("Avro reads (FastReaderBuilder$RecordReader.read)", lambda f: any('FastReaderBuilder$RecordReader.read' in x for x in f)),
 ("step signatures (StepAuthenticator)", lambda f: any('StepAuthenticator' in x for x in f)),
 ("forwarding to sinks (RecordCollectorImpl.send)", lambda f: any('RecordCollectorImpl.send' in x for x in f)),
 ("  of which KafkaProducer.send", lambda f: any(x.endswith('KafkaProducer.send') for x in f)),
 ("commits (TaskManager.commit)", lambda f: any(x.endswith('TaskManager.commit') for x in f)),
 ("punctuations (StreamTask.punctuate)", lambda f: any(x.endswith('StreamTask.punctuate') for x in f)),
 ("consumer poll (StreamThread.pollRequests)", lambda f: any(x.endswith('StreamThread.pollRequests') for x in f)),
 ("state updater bookkeeping (TaskManager.checkStateUpdater)", lambda f: any(x.endswith('TaskManager.checkStateUpdater') for x in f)),
]
total = 0; stream = 0; counts = collections.Counter(); selfc = collections.Counter(); maxdepth = 0
for e in ev:
    if e['type'] != 'jdk.ExecutionSample': continue
    total += 1
    v = e['values']; t = v.get('sampledThread') or {}
    name = t.get('javaName') or ''
    if 'fig3-projector' not in name or 'StreamThread' not in name or 'producer' in name: continue
    st = v.get('stackTrace') or {}
    frames = [fr['method']['type']['name'].replace('/', '.') + '.' + fr['method']['name'] for fr in st.get('frames', [])]
    if not frames: continue
    stream += 1; maxdepth = max(maxdepth, len(frames))
    fs = set(frames)
    for label, pred in cats:
        if pred([x for x in frames]) or pred(set(x.split('.')[-2] + '.' + x.split('.')[-1] for x in frames)):
            counts[label] += 1
    selfc[frames[0]] += 1
print(f"{total} execution samples in the harness JVM; {stream} on the projector's stream threads")
print(f"max stack depth {maxdepth}")
for label, _ in cats:
    print(f"{100.0*counts[label]/max(stream,1):5.1f}%  {label}")
print("top self frames:")
for f, c in selfc.most_common(12):
    print(f"  {100.0*c/max(stream,1):5.1f}% {f}")
