// mlpeer: a real hashicorp/memberlist node for swarmnet's interop tests.
//
// It runs memberlist's DefaultLANConfig (what Docker's NetworkDB runs) on loopback and prints
// membership events as JSON lines on stdout, one per event, each with "t" (unix ms) and "event":
//
//	{"event":"ready","name":..,"addr":..,"port":..}
//	{"event":"join","node":..,"addr":..,"port":..}
//	{"event":"leave","node":..,"state":"left"|"dead"}
//	{"event":"members","alive":[..]}
//
// memberlist 0.2.2 does not say in NotifyLeave whether a node left or failed (the Node it passes
// keeps its old State), so mlpeer infers it from memberlist's own log: a node it suspected or
// marked failed ("Suspect X has failed", "Marking X as failed") is "dead", otherwise "left".
//
// Standard input takes commands, one per line: "members" prints the member list, "leave" leaves
// gracefully (Leave(2s), Shutdown) and exits 0. SIGTERM and SIGINT leave the same way.
//
// Build offline from Debian's packages (scripts/build-mlpeer.sh):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go build -o mlpeer .
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

var (
	out      = json.NewEncoder(os.Stdout)
	outMu    sync.Mutex
	suspects = map[string]bool{}
	suspMu   sync.Mutex
	// The log lines memberlist writes when it decides a node failed.
	failedLine = regexp.MustCompile(`(?:Suspect|Marking) (\S+) (?:has failed|as failed)`)
)

func emit(fields map[string]interface{}) {
	fields["t"] = time.Now().UnixNano() / int64(time.Millisecond)
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(fields)
}

// events is memberlist's EventDelegate.
type events struct{}

func (events) NotifyJoin(n *memberlist.Node) {
	suspMu.Lock()
	delete(suspects, n.Name)
	suspMu.Unlock()
	emit(map[string]interface{}{"event": "join", "node": n.Name, "addr": n.Addr.String(), "port": n.Port})
}

func (events) NotifyLeave(n *memberlist.Node) {
	suspMu.Lock()
	state := "left"
	if suspects[n.Name] {
		state = "dead"
	}
	suspMu.Unlock()
	emit(map[string]interface{}{"event": "leave", "node": n.Name, "state": state})
}

func (events) NotifyUpdate(n *memberlist.Node) {
	emit(map[string]interface{}{"event": "update", "node": n.Name})
}

// logTap copies memberlist's log to w and remembers which nodes it declared failed.
type logTap struct{ w io.Writer }

func (l logTap) Write(p []byte) (int, error) {
	if m := failedLine.FindSubmatch(p); m != nil {
		suspMu.Lock()
		suspects[string(m[1])] = true
		suspMu.Unlock()
	}
	return l.w.Write(p)
}

func randomName() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func main() {
	name := flag.String("name", "", "node name (default: 12 random hex characters, as NetworkDB names nodes)")
	bind := flag.String("bind", "127.0.0.1", "address to bind and advertise (loopback only)")
	port := flag.Int("port", 0, "UDP and TCP port (0: any free one)")
	join := flag.String("join", "", "comma-separated host:port list to join (retried for 10 s)")
	keys := flag.String("keys", "", "comma-separated hex AES keys; the first is the primary (empty: no encryption)")
	logPath := flag.String("log", "", "memberlist's log file (default: stderr)")
	flag.Parse()

	if *name == "" {
		*name = randomName()
	}
	var logOut io.Writer = os.Stderr
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		logOut = f
	}

	conf := memberlist.DefaultLANConfig()
	conf.Name = *name
	conf.BindAddr = *bind
	conf.BindPort = *port
	conf.AdvertiseAddr = *bind
	conf.AdvertisePort = *port
	conf.Events = events{}
	conf.Logger = log.New(logTap{logOut}, "", log.LstdFlags)
	if *keys != "" {
		var ring [][]byte
		for _, k := range strings.Split(*keys, ",") {
			b, err := hex.DecodeString(k)
			if err != nil {
				log.Fatalf("bad key %q: %v", k, err)
			}
			ring = append(ring, b)
		}
		kr, err := memberlist.NewKeyring(ring, ring[0])
		if err != nil {
			log.Fatal(err)
		}
		conf.Keyring = kr
	}

	m, err := memberlist.Create(conf)
	if err != nil {
		log.Fatal(err)
	}
	self := m.LocalNode()
	emit(map[string]interface{}{"event": "ready", "name": self.Name, "addr": self.Addr.String(), "port": self.Port})

	if *join != "" {
		peers := strings.Split(*join, ",")
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := m.Join(peers); err == nil {
				break
			} else if time.Now().After(deadline) {
				emit(map[string]interface{}{"event": "join-failed", "error": err.Error()})
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}

	leave := func() {
		_ = m.Leave(2 * time.Second)
		_ = m.Shutdown()
		emit(map[string]interface{}{"event": "left"})
		os.Exit(0)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		leave()
	}()

	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		switch strings.TrimSpace(lines.Text()) {
		case "members":
			var alive []string
			for _, n := range m.Members() {
				alive = append(alive, n.Name)
			}
			emit(map[string]interface{}{"event": "members", "alive": alive})
		case "leave":
			leave()
		case "":
		default:
			fmt.Fprintf(os.Stderr, "mlpeer: unknown command %q\n", lines.Text())
		}
	}
	// Standard input closed: keep running until a signal (tests keep stdin open).
	select {}
}
