#pragma once
// A doubly linked list threaded through its elements (no allocation): the loop's list of its
// futures and tasks, in creation order. T has `T* prev_` and `T* next_` members, which the
// list owns while the element is linked; an element is in at most one list.
namespace aio::detail {

template <class T>
class IntrusiveList {
public:
    T* front() const noexcept { return head_; }
    void push_back(T* x) noexcept {
        x->prev_ = tail_;
        x->next_ = nullptr;
        if (tail_)
            tail_->next_ = x;
        else
            head_ = x;
        tail_ = x;
    }
    /// Unlinks x; an element already unlinked (both links null and not the only one) is left alone.
    void remove(T* x) noexcept {
        if (x->prev_)
            x->prev_->next_ = x->next_;
        else if (head_ == x)
            head_ = x->next_;
        if (x->next_)
            x->next_->prev_ = x->prev_;
        else if (tail_ == x)
            tail_ = x->prev_;
        x->prev_ = x->next_ = nullptr;
    }
    /// Forgets every element without touching them.
    void reset() noexcept { head_ = tail_ = nullptr; }

private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

}  // namespace aio::detail
