package webui

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// forwardingHeaders are added by HTTP proxies; a request carrying any of
// them did not come straight from a browser.
var forwardingHeaders = []string{
	"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip",
	"Via", "True-Client-Ip", "Cf-Connecting-Ip", "X-Client-Ip", "Client-Ip",
}

func hasForwardingHeaders(r *http.Request) bool {
	for _, h := range forwardingHeaders {
		if _, ok := r.Header[h]; ok {
			return true
		}
	}
	return false
}

func isLoopbackIP(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}

// isLoopbackHost: the browser addressed us as localhost or a loopback
// literal (so a DNS-rebound name or the box's LAN address never counts).
func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	return isLoopbackIP(host)
}

// fromBrowserOnThisBox reports whether r comes straight from a program on
// this machine that is not relaying for somebody else. Loopback alone is
// not enough: a TCP forwarder (socat, ssh -L's sshd, a container port
// proxy, a reverse proxy) connects from 127.0.0.1 on behalf of a remote
// client. The connecting process is found from the kernel's socket table
// and refused when it listens on a non-loopback address or holds a
// connection it accepted from a non-loopback address. When the process
// cannot be identified the answer is no (the token is then needed).
func fromBrowserOnThisBox(r *http.Request) (bool, string) {
	if !isLoopbackIP(clientIP(r)) {
		return false, "client address is not loopback"
	}
	if !isLoopbackHost(r.Host) {
		return false, "Host is not localhost or a loopback address"
	}
	if hasForwardingHeaders(r) {
		return false, "request carries proxy forwarding headers"
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local == nil {
		return false, "server address unknown"
	}
	srv, err1 := netip.ParseAddrPort(local.String())
	peer, err2 := netip.ParseAddrPort(r.RemoteAddr)
	if err1 != nil || err2 != nil {
		return false, "addresses do not parse"
	}
	relay, err := peerRelays(peer, srv)
	if err != nil {
		return false, "connecting process not identified: " + err.Error()
	}
	if relay != "" {
		return false, relay
	}
	return true, ""
}

// tcpSocket is one row of /proc/net/tcp{,6}.
type tcpSocket struct {
	local, remote netip.AddrPort
	state         int // 1 established, 10 listen
	inode         string
}

const (
	tcpEstablished = 0x01
	tcpListen      = 0x0A
)

// readTCPTable reads the kernel's TCP sockets of our network namespace.
func readTCPTable(procRoot string) ([]tcpSocket, error) {
	var out []tcpSocket
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		f, err := os.Open(filepath.Join(procRoot, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows, err := parseTCPTable(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// parseTCPTable parses the text of /proc/net/tcp or tcp6; rows that do not
// parse are skipped.
func parseTCPTable(r io.Reader) ([]tcpSocket, error) {
	var out []tcpSocket
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 10 {
			continue
		}
		l, err1 := parseProcAddr(fl[1])
		rm, err2 := parseProcAddr(fl[2])
		st, err3 := strconv.ParseUint(fl[3], 16, 8)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, tcpSocket{local: l, remote: rm, state: int(st), inode: fl[9]})
	}
	return out, sc.Err()
}

// parseProcAddr decodes "0100007F:1F90" (IPv4) or the 32-hex-digit IPv6
// form; each 32-bit word is in host (little-endian) order.
func parseProcAddr(s string) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(hexAddr)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port %q", s)
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}

// peerRelays finds the process owning the client end of the connection
// peer→srv and returns why it looks like a relay ("" when it does not).
func peerRelays(peer, srv netip.AddrPort) (string, error) {
	return peerRelaysIn("/proc", peer, srv)
}

func peerRelaysIn(procRoot string, peer, srv netip.AddrPort) (string, error) {
	table, err := readTCPTable(procRoot)
	if err != nil {
		return "", err
	}
	peer = netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())
	srv = netip.AddrPortFrom(srv.Addr().Unmap(), srv.Port())
	byInode := map[string]tcpSocket{}
	listening := map[uint16]bool{}
	clientInode := ""
	for _, s := range table {
		byInode[s.inode] = s
		if s.state == tcpListen {
			listening[s.local.Port()] = true
		}
		if s.local == peer && s.remote == srv && s.inode != "0" {
			clientInode = s.inode
		}
	}
	if clientInode == "" {
		return "", errors.New("client socket not in the socket table")
	}
	pids, err := os.ReadDir(procRoot)
	if err != nil {
		return "", err
	}
	want := "socket:[" + clientInode + "]"
	for _, p := range pids {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		fdDir := filepath.Join(procRoot, p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // another user's process we may not inspect, or gone
		}
		var sockets []string
		owner := false
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if link == want {
				owner = true
			}
			sockets = append(sockets, strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"))
		}
		if !owner {
			continue
		}
		for _, ino := range sockets {
			s, ok := byInode[ino]
			if !ok {
				continue
			}
			switch {
			case s.state == tcpListen && !s.local.Addr().IsLoopback():
				return fmt.Sprintf("connecting process %s listens on %s", p.Name(), s.local), nil
			case s.state == tcpEstablished && !s.remote.Addr().IsLoopback() && listening[s.local.Port()]:
				return fmt.Sprintf("connecting process %s relays a connection from %s", p.Name(), s.remote.Addr()), nil
			}
		}
		return "", nil
	}
	return "", errors.New("no visible process owns the client socket")
}
