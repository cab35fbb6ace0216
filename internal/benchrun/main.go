// Command benchrun is `make bench`: it generates a CloudTrail corpus and
// measures the cairn binary end to end — ingest from local files, collect
// through the emulator, and one large object — reporting events/s, MB/s and
// peak RSS of the cairn process.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cairn-sec/cairn/emulator"
	"github.com/cairn-sec/cairn/s3"
	"github.com/cairn-sec/cairn/simulate"
	"github.com/cairn-sec/cairn/sns"
)

type result struct {
	name            string
	events          int64
	bytes, rawBytes int64
	elapsed         time.Duration
	cpu             time.Duration // user+sys of the cairn process
	maxRSS          int64         // bytes
}

func main() {
	cairn := flag.String("cairn", "bin/cairn", "cairn binary")
	files := flag.Int("files", 400, "corpus files")
	perFile := flag.Int("events-per-file", 250, "events per corpus file")
	bigMB := flag.Int("big-mb", 1024, "size of the large object, uncompressed MB (0: skip)")
	skipCollect := flag.Bool("skip-collect", false, "skip the emulator run")
	out := flag.String("o", "bench-results/latest.md", "write the report here too")
	corpusOnly := flag.String("corpus-only", "", "only write the corpus to this directory and exit")
	keep := flag.String("work", "", "work in this directory and keep it (corpus, stores, the large object)")
	sigmaRules := flag.String("sigma-rules", "../shared/datasets/sigma/rules/cloud/aws/cloudtrail", "SigmaHQ CloudTrail rules for the detection-cost runs (skipped when absent)")
	repeats := flag.Int("detect-repeats", 11, "runs per detection mode (the median is reported; 0: skip)")
	flag.Parse()
	ctx := context.Background()
	bin, _ := filepath.Abs(*cairn)
	work := *keep
	if work == "" {
		var err error
		work, err = os.MkdirTemp("", "cairn-bench-")
		check(err)
		defer os.RemoveAll(work)
	}

	fmt.Printf("generating %d files × %d events in %s\n", *files, *perFile, work)
	corpus := filepath.Join(work, "corpus")
	if *corpusOnly != "" {
		corpus = *corpusOnly
	}
	gen := simulate.NewGenerator(simulate.Options{Seed: 42, EventsPerFile: *perFile, Start: time.Now().Add(-time.Duration(*files) * 5 * time.Minute)})
	var all []simulate.File
	var events, size, raw int64
	for range *files {
		f, err := gen.NextFile()
		check(err)
		p := filepath.Join(corpus, f.Key)
		check(os.MkdirAll(filepath.Dir(p), 0o755))
		check(os.WriteFile(p, f.Body, 0o644))
		events += int64(f.Events)
		size += int64(len(f.Body))
		raw += f.RawBytes
		f.EventIDs = nil
		all = append(all, f)
	}
	if *corpusOnly != "" {
		return
	}
	var results []result

	r := run(bin, "ingest (local files)", []string{"ingest", corpus, "--store", filepath.Join(work, "s1"), "--progress", "none"})
	r.events, r.bytes, r.rawBytes = events, size, raw
	results = append(results, r)

	var detectTable string
	if *repeats > 0 {
		_, detectTable = detectCost(bin, work, corpus, *sigmaRules, *repeats, events)
	}
	if !*skipCollect {
		results = append(results, benchCollect(ctx, bin, work, all, events, size, raw))
	}
	if *bigMB > 0 {
		results = append(results, benchBig(bin, work, *bigMB))
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| run | events | MB (gzip) | MB (raw) | seconds | events/s | MB/s (raw) | CPU s | CPU s / 1k events | events / CPU s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		s, c := r.elapsed.Seconds(), r.cpu.Seconds()
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.2f | %.0f | %.1f | %.2f | %.4f | %.0f | %.0f |\n", r.name, r.events, float64(r.bytes)/1e6,
			float64(r.rawBytes)/1e6, s, float64(r.events)/s, float64(r.rawBytes)/1e6/s,
			c, c/float64(r.events)*1000, float64(r.events)/c, float64(r.maxRSS)/(1<<20))
	}
	b.WriteString("\nCPU s is user+sys of the cairn process (getrusage of the child): events / CPU s is the rate one fully used core sustains, so about half what two idle cores reach when decoding and writing overlap.\n")
	if detectTable != "" {
		b.WriteString("\nWhat streaming detection costs ingestion (the same corpus; throughput is events/s relative to detection off):\n\n" + detectTable)
	}
	fmt.Print("\n" + b.String())
	if *out != "" {
		os.MkdirAll(filepath.Dir(*out), 0o755)
		os.WriteFile(*out, []byte(fmt.Sprintf("%s, %s\n\n%s", time.Now().UTC().Format(time.RFC3339), hostInfo(), b.String())), 0o644)
	}
}

func benchCollect(ctx context.Context, bin, work string, all []simulate.File, events, size, raw int64) result {
	script, err := emulator.Find()
	check(err)
	emu, err := emulator.Start(ctx, script, nil)
	check(err)
	defer emu.Stop()
	cfg := emu.Config()
	w, err := emulator.Provision(ctx, cfg, emulator.WiringOptions{Bucket: "bench", Topic: "bench", Queue: "bench", Visibility: 5 * time.Minute})
	check(err)
	fmt.Printf("uploading %d files to the emulator and publishing their notifications\n", len(all))
	client := s3.New(cfg, s3.Options{PathStyle: true})
	topic := sns.New(cfg, w.TopicARN)
	var wg sync.WaitGroup
	work1 := make(chan simulate.File)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work1 {
				_, err := client.PutObject(ctx, "bench", f.Key, f.Body)
				check(err)
				check(topic.Publish(ctx, simulate.CloudTrailMessage("bench", f.Key)))
			}
		}()
	}
	for _, f := range all {
		work1 <- f
	}
	close(work1)
	wg.Wait()
	r := run(bin, "collect (SNS→SQS→S3, emulator)", []string{"collect", "--drain", "--queue-url", w.QueueURL, "--endpoint-url", emu.Endpoint,
		"--store", filepath.Join(work, "s2"), "--log-level", "warn"}, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1")
	r.events, r.bytes, r.rawBytes = events, size, raw
	return r
}

func benchBig(bin, work string, mb int) result {
	p := filepath.Join(work, "big", "AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/01/123456789012_CloudTrail_us-east-1_20260101T0000Z_big.json.gz")
	check(os.MkdirAll(filepath.Dir(p), 0o755))
	f, err := os.Create(p)
	check(err)
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	gen := simulate.NewGenerator(simulate.Options{Seed: 7})
	probe := &countWriter{}
	_, err = gen.WriteLog(probe, "123456789012", "us-east-1", time.Now(), 1000)
	check(err)
	n := int(int64(mb) << 20 / (probe.n / 1000))
	fmt.Printf("writing one %d MB object (%d events)\n", mb, n)
	cw := &countWriter{w: zw}
	_, err = gen.WriteLog(cw, "123456789012", "us-east-1", time.Now(), n)
	check(err)
	check(zw.Close())
	st, _ := f.Stat()
	f.Close()
	r := run(bin, fmt.Sprintf("ingest one %d MB object", mb), []string{"ingest", p, "--store", filepath.Join(work, "s3"), "--progress", "none", "--concurrency", "1"})
	r.events, r.bytes, r.rawBytes = int64(n), st.Size(), cw.n
	return r
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.w == nil {
		return len(p), nil
	}
	return c.w.Write(p)
}

// run times one cairn command and reads its CPU time (user+sys) and peak RSS
// from rusage, which a loaded machine does not distort the way it does
// wall-clock time.
func run(bin, name string, args []string, env ...string) result {
	fmt.Printf("running %s: cairn %s\n", name, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	check(cmd.Run())
	el := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("  %.2fs wall, %.2fs CPU (user %.2fs, sys %.2fs), peak RSS %d MB\n", el.Seconds(), cpu.Seconds(),
		time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds(), ru.Maxrss>>10)
	return result{name: name, elapsed: el, cpu: cpu, maxRSS: ru.Maxrss * 1024}
}

func hostInfo() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	return fmt.Sprintf("%d CPUs (%s)", numCPU(), model)
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
