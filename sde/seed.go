package sde

// splitmix64 is one step of Steele, Lea & Flood's SplitMix64 generator
// ("Fast splittable pseudorandom number generators", OOPSLA 2014): it maps
// a 64-bit state to a well-mixed 64-bit output.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// TrajectorySeed returns the two PCG seed words of trajectory i of a run
// with the given seed: splitmix64 hashes of the seed and the index. Every
// trajectory thus has its own stream, independent of how trajectories are
// shared among workers.
func TrajectorySeed(seed uint64, i int) (uint64, uint64) {
	s := splitmix64(seed ^ 0x5eed5eed5eed5eed)
	a := splitmix64(s + uint64(i)*0xd1b54a32d192ed03)
	b := splitmix64(a ^ 0xa0761d6478bd642f)
	return a, b
}
